//! Joined text: lines run together into one string that still knows,
//! for every character, which line of the letter it came from.

use std::collections::HashSet;

use crate::{Line, Place};

/// Text joined from several lines, with the place each piece began.
#[derive(Debug, Clone, Default)]
pub(crate) struct Joined {
    pub text: String,
    /// (byte offset in `text`, place of the line that starts there), ascending.
    marks: Vec<(usize, Place)>,
}

impl Joined {
    /// Joins lines with a space, undoing line-end hyphenation where the
    /// letter itself shows the word unhyphenated (see [`Words`]).
    pub fn from_lines(lines: &[Line], words: &Words) -> Joined {
        let mut j = Joined::default();
        for line in lines {
            let t = line.text.trim();
            if t.is_empty() {
                continue;
            }
            if j.text.is_empty() {
                j.marks.push((0, line.place));
                j.text.push_str(t);
                continue;
            }
            let last_token = j.text.rsplit(' ').next().unwrap_or("");
            let url = last_token.contains("://") || last_token.starts_with("www.");
            if url && last_token.ends_with(['-', '/', '.', '_']) {
                // A web address broken at the line end continues unbroken.
            } else if let Some(join) = words.dehyphenate_at(&j.text, t) {
                if let HyphenJoin::Remove(cut) = join {
                    j.text.truncate(cut);
                }
            } else {
                j.text.push(' ');
            }
            j.marks.push((j.text.len(), line.place));
            j.text.push_str(t);
        }
        j
    }

    /// The place of the line holding byte `offset`.
    pub fn place_at(&self, offset: usize) -> Place {
        let i = self.marks.partition_point(|(o, _)| *o <= offset);
        match i.checked_sub(1).and_then(|k| self.marks.get(k)) {
            Some((_, p)) => *p,
            None => self.marks.first().map(|m| m.1).unwrap_or_default(),
        }
    }

    /// The place of the first line.
    pub fn start(&self) -> Place {
        self.place_at(0)
    }
}

/// How a word broken at a line-end hyphen is joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HyphenJoin {
    /// The hyphen was put in by the line break: cut the text to this
    /// length (hyphen removed) and join the halves ("ther-" "apy").
    Remove(usize),
    /// The hyphen belongs to the word: keep it and join without a space
    /// ("active-" "passive").
    Keep,
}

/// Words of the whole letter, to decide whether a hyphen at a line end
/// belongs to the word ("active-passive") or was put in by a line break
/// ("ther-apy").
#[derive(Debug, Default)]
pub(crate) struct Words {
    joined: HashSet<String>,
    hyphenated: HashSet<String>,
    /// Remove a line-end hyphen when the letter gives no evidence either way.
    pub default_remove: bool,
}

impl Words {
    pub fn new(lines: &[Line], default_remove: bool) -> Words {
        let mut w = Words {
            default_remove,
            ..Words::default()
        };
        for line in lines {
            for tok in line.text.split(|c: char| !(c.is_alphanumeric() || c == '-')) {
                let tok = tok.trim_matches('-');
                if tok.len() < 3 {
                    continue;
                }
                let lower = tok.to_lowercase();
                if lower.contains('-') {
                    w.hyphenated.insert(lower);
                } else {
                    w.joined.insert(lower);
                }
            }
        }
        w
    }

    /// When `before` ends in `letters-` and `after` starts with a lowercase
    /// word, says how the halves join: without the hyphen when the line
    /// break put it in, with it when the word has one; never with a space.
    /// `None` (join with a space) for a suspended hyphen ("pre- and post-").
    pub fn dehyphenate_at(&self, before: &str, after: &str) -> Option<HyphenJoin> {
        let stem = before.strip_suffix('-')?;
        let head: String = stem
            .chars()
            .rev()
            .take_while(|c| c.is_alphabetic())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if head.len() < 2 || stem[..stem.len() - head.len()].ends_with('-') {
            return None;
        }
        let tail: String = after.chars().take_while(|c| c.is_alphabetic()).collect();
        if tail.is_empty() || !tail.chars().next().is_some_and(|c| c.is_lowercase()) {
            return None;
        }
        if matches!(tail.as_str(), "and" | "or" | "nor" | "to" | "vs") {
            return None;
        }
        let whole = format!("{head}{tail}").to_lowercase();
        let hyph = format!("{head}-{tail}").to_lowercase();
        let remove = if self.hyphenated.contains(&hyph) {
            false
        } else if self.joined.contains(&whole) {
            true
        } else {
            self.default_remove
        };
        Some(if remove {
            HyphenJoin::Remove(stem.len())
        } else {
            HyphenJoin::Keep
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(page: u32, line: u32, text: &str) -> Line {
        Line {
            place: Place { page, line },
            text: text.to_string(),
        }
    }

    #[test]
    fn places_follow_lines() {
        let lines = [
            line(1, 3, "Physical ther-"),
            line(2, 1, "apy for the back"),
            line(2, 2, ""),
        ];
        let j = Joined::from_lines(
            &lines,
            &Words {
                default_remove: true,
                ..Words::default()
            },
        );
        assert_eq!(j.text, "Physical therapy for the back");
        assert_eq!(j.place_at(0), Place { page: 1, line: 3 });
        assert_eq!(j.place_at(j.text.find("for").unwrap()), Place { page: 2, line: 1 });
    }

    #[test]
    fn hyphen_kept_when_letter_shows_it() {
        let lines = [
            line(1, 1, "active-passive motion"),
            line(1, 2, "range active-"),
            line(1, 3, "passive"),
        ];
        let words = Words::new(&lines, true);
        let j = Joined::from_lines(&lines[1..], &words);
        assert_eq!(j.text, "range active-passive");
    }

    #[test]
    fn suspended_hyphen_keeps_its_space() {
        let lines = [line(1, 1, "pre-"), line(1, 2, "and post-operative")];
        let j = Joined::from_lines(&lines, &Words::new(&lines, true));
        assert_eq!(j.text, "pre- and post-operative");
    }
}
