//! The shape of an ICD-10-CM code: a letter, a digit, a digit or letter,
//! then up to four letters or digits, with an optional dot after the
//! third character ("M54.16", "m5416", "S13.4XXA").

use thiserror::Error;

/// A code written in a shape ICD-10-CM never uses, located by column
/// (1-based, in characters of the input as given).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{kind}")]
pub struct FormatError {
    pub column: usize,
    pub kind: FormatErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FormatErrorKind {
    #[error("empty code")]
    Empty,
    #[error("an ICD-10-CM code starts with a letter, not '{0}'")]
    FirstNotLetter(char),
    #[error("the second character of an ICD-10-CM code is a digit, not '{0}'")]
    SecondNotDigit(char),
    #[error("'{0}' cannot appear in an ICD-10-CM code")]
    BadChar(char),
    #[error("the dot of an ICD-10-CM code comes after the third character")]
    DotPlace,
    #[error("nothing follows the dot")]
    NothingAfterDot,
    #[error("an ICD-10-CM code has at least 3 characters")]
    TooShort,
    #[error("an ICD-10-CM code has at most 7 characters")]
    TooLong,
}

impl FormatErrorKind {
    pub fn help(&self) -> &'static str {
        match self {
            Self::Empty | Self::FirstNotLetter(_) | Self::SecondNotDigit(_) | Self::TooShort => {
                "a code is a letter, two characters, and up to four more after an optional dot, like M54.16 or S13.4XXA"
            }
            Self::BadChar(_) => "only letters and digits, and one dot after the third character",
            Self::DotPlace | Self::NothingAfterDot => "write it like M54.16, or without the dot: M5416",
            Self::TooLong => "the longest codes have 7 characters, like S13.4XXA",
        }
    }
}

/// The code dotless and upper case, or where its shape is wrong.
/// Surrounding white space is ignored (columns still count it).
pub fn normalize(input: &str) -> Result<String, FormatError> {
    let lead = input.chars().take_while(|c| c.is_whitespace()).count();
    let err = |i: usize, kind| {
        Err(FormatError {
            column: lead + i + 1,
            kind,
        })
    };
    let body: Vec<char> = input.trim().chars().collect();
    if body.is_empty() {
        return err(0, FormatErrorKind::Empty);
    }
    let mut out = String::new();
    let mut dot = None;
    for (i, &c) in body.iter().enumerate() {
        if c == '.' {
            if dot.is_some() || out.len() != 3 {
                return err(i, FormatErrorKind::DotPlace);
            }
            dot = Some(i);
            continue;
        }
        if !c.is_ascii_alphanumeric() {
            return err(i, FormatErrorKind::BadChar(c));
        }
        let u = c.to_ascii_uppercase();
        match out.len() {
            0 if !u.is_ascii_uppercase() => return err(i, FormatErrorKind::FirstNotLetter(c)),
            1 if !u.is_ascii_digit() => return err(i, FormatErrorKind::SecondNotDigit(c)),
            7 => return err(i, FormatErrorKind::TooLong),
            _ => {}
        }
        out.push(u);
    }
    if out.len() < 3 {
        return err(body.len(), FormatErrorKind::TooShort);
    }
    if let Some(d) = dot
        && d + 1 == body.len()
    {
        return err(d, FormatErrorKind::NothingAfterDot);
    }
    Ok(out)
}

/// The code as CMS prints it, with the dot after the third character.
pub fn dotted(code: &str) -> String {
    if code.len() > 3 {
        format!("{}.{}", &code[..3], &code[3..])
    } else {
        code.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(normalize("M54.16").as_deref(), Ok("M5416"));
        assert_eq!(normalize(" m5416 ").as_deref(), Ok("M5416"));
        assert_eq!(normalize("s13.4xxa").as_deref(), Ok("S134XXA"));
        assert_eq!(normalize("M54").as_deref(), Ok("M54"));
        let e = |s: &str| normalize(s).unwrap_err();
        assert_eq!(
            e("M5.416"),
            FormatError {
                column: 3,
                kind: FormatErrorKind::DotPlace
            }
        );
        assert_eq!(
            e("5416"),
            FormatError {
                column: 1,
                kind: FormatErrorKind::FirstNotLetter('5')
            }
        );
        assert_eq!(
            e("MM16"),
            FormatError {
                column: 2,
                kind: FormatErrorKind::SecondNotDigit('M')
            }
        );
        assert_eq!(
            e("M54-16"),
            FormatError {
                column: 4,
                kind: FormatErrorKind::BadChar('-')
            }
        );
        assert_eq!(
            e("S13.4XXAA"),
            FormatError {
                column: 9,
                kind: FormatErrorKind::TooLong
            }
        );
        assert_eq!(
            e("M5"),
            FormatError {
                column: 3,
                kind: FormatErrorKind::TooShort
            }
        );
        assert_eq!(
            e("M54."),
            FormatError {
                column: 4,
                kind: FormatErrorKind::NothingAfterDot
            }
        );
        assert_eq!(
            e("  "),
            FormatError {
                column: 3,
                kind: FormatErrorKind::Empty
            }
        );
        assert_eq!(dotted("M5416"), "M54.16");
        assert_eq!(dotted("I10"), "I10");
    }
}
