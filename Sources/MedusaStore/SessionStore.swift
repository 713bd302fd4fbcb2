import FoundationEssentials
import Synchronization

/// What one named session holds: its cookie jar and the JWT of its last successful getToken.
public struct SessionState: Sendable, Equatable {
    public var cookies = CookieJar()
    public var token: String?
    /// Medusa v2 in session mode: the JWT exchanged for the session's cookie, never sent except to
    /// `POST /auth/token/refresh`.
    public var exchangedToken: String?
    /// From the last customer body or token seen in this session; for `session.list` only.
    public var customerID: String?

    public init() {}
}

/// A session's state as `session.list` shows it: never a cookie value or a token.
public struct SessionSummary: Sendable, Equatable {
    public var name: String
    public var hasCookie: Bool
    public var hasToken: Bool
    public var customerID: String?
}

/// Every session's state, in memory. Requests of many tasks read and update it, so it lives behind a
/// mutex; each access is short and never suspends. Sessions never see each other's state: every
/// access names its session.
public final class SessionStore: Sendable {
    private let sessions = Mutex<[String: SessionState]>([:])

    public init() {}

    /// The state of `name`, creating the session on first use.
    public func snapshot(_ name: String) -> SessionState {
        sessions.withLock { table in
            if let state = table[name] { return state }
            table[name] = SessionState()
            return SessionState()
        }
    }

    public func update(_ name: String, _ change: (inout SessionState) -> Void) {
        sessions.withLock { table in change(&table[name, default: SessionState()]) }
    }

    /// Forgets what signs the session in (its cookies, tokens and customer), as both logouts do
    /// whatever Medusa answered; the session itself stays listed.
    public func signOut(_ name: String) {
        update(name) { state in
            state.cookies.removeAll()
            state.token = nil
            state.exchangedToken = nil
            state.customerID = nil
        }
    }

    /// Forgets the session entirely (cookies, token, customer).
    public func remove(_ name: String) {
        _ = sessions.withLock { $0.removeValue(forKey: name) }
    }

    public func summaries(now: Date = Date()) -> [SessionSummary] {
        sessions.withLock { table in
            table.map { name, state in
                SessionSummary(
                    name: name, hasCookie: state.cookies.hasCookies(now: now), hasToken: state.token != nil || state.exchangedToken != nil,
                    customerID: state.customerID)
            }
        }.sorted { $0.name < $1.name }
    }
}
