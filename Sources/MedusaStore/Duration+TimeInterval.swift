import FoundationEssentials

extension Duration {
    /// This duration in seconds, for the Foundation and Dispatch APIs that take a `TimeInterval`.
    public var timeInterval: TimeInterval { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
