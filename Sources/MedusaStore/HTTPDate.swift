import FoundationEssentials

/// Parses the dates of `Expires` and `Retry-After` (RFC 9110 §5.6.7: IMF-fixdate, plus the obsolete
/// RFC 850 and asctime forms), without DateFormatter, which is costly to create and not Sendable.
public enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    public static func parse(_ text: String) -> Date? {
        // Tokens of letters or digits; the weekday and the time separators fall away.
        var day: Int?
        var month: Int?
        var year: Int?
        var time: (Int, Int, Int)?
        for token in text.split(whereSeparator: { " ,-\t".contains($0) }) {
            let lower = token.lowercased()
            if time == nil, token.contains(":") {
                let fields = token.split(separator: ":").compactMap { Int($0) }
                guard fields.count == 3 else { return nil }
                time = (fields[0], fields[1], fields[2])
            } else if month == nil, let index = months.firstIndex(of: String(lower.prefix(3))), lower.allSatisfy(\.isLetter) {
                month = index + 1
            } else if let number = Int(token) {
                if day == nil, token.count <= 2 {
                    day = number
                } else if year == nil {
                    year = token.count == 2 ? (number < 70 ? 2000 + number : 1900 + number) : number
                }
            }
        }
        guard let day, let month, let year, let (hour, minute, second) = time,
            (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let seconds = ((daysSinceEpoch(year: year, month: month, day: day) * 24 + hour) * 60 + minute) * 60 + second
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date: the civil-from-days inverse of Howard
    /// Hinnant's "chrono-Compatible Low-Level Date Algorithms". Plain arithmetic, because Calendar and
    /// TimeZone need ICU's data, which the bridge does not link.
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
