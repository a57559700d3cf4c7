//! Dates as the letters write them, to ISO `YYYY-MM-DD`.

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// `11/08/2016`, `11-8-16`, `November 8, 2016`, `Nov. 8th 2016` to
/// `2016-11-08`; None for anything else or an impossible date.
pub fn iso(text: &str) -> Option<String> {
    let t = text.trim().to_lowercase();
    let (y, m, d) = if t.starts_with(|c: char| c.is_ascii_digit()) {
        let parts: Vec<&str> = t.split(['/', '-']).map(str::trim).collect();
        let [m, d, y] = parts[..] else { return None };
        let (m, d, y): (u32, u32, u32) = (m.parse().ok()?, d.parse().ok()?, y.parse().ok()?);
        let y = match y {
            0..=69 => 2000 + y,
            70..=99 => 1900 + y,
            1900..=2099 => y,
            _ => return None,
        };
        (y, m, d)
    } else {
        let month = MONTHS.iter().position(|m| t.starts_with(m))? as u32 + 1;
        let rest: Vec<&str> = t
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .skip(1)
            .collect();
        let [d, y] = rest[..] else { return None };
        let d: u32 = d.trim_end_matches(|c: char| c.is_alphabetic()).parse().ok()?;
        (y.parse().ok()?, month, d)
    };
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&d).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::iso;

    #[test]
    fn the_forms_letters_use() {
        assert_eq!(iso("11/08/2016").as_deref(), Some("2016-11-08"));
        assert_eq!(iso("3-4-16").as_deref(), Some("2016-03-04"));
        assert_eq!(iso("10-30- 2016").as_deref(), Some("2016-10-30"));
        assert_eq!(iso("November 8, 2016").as_deref(), Some("2016-11-08"));
        assert_eq!(iso("Sept. 21st 2015").as_deref(), Some("2015-09-21"));
        assert_eq!(iso("02/29/2015"), None);
        assert_eq!(iso("13/01/2016"), None);
        assert_eq!(iso("2/29/2016").as_deref(), Some("2016-02-29"));
    }
}
