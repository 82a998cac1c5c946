//! The visual zone against the MRZ: find the MRZ's names and date of birth among the text
//! read from the rest of the page.

/// A line of text read from a document page, with its box in the page's pixels.
///
/// `Debug` is redacted: the text is personal data.
#[derive(Clone, PartialEq)]
pub struct TextLine {
    /// The text as read.
    pub text: String,
    /// The probability of its least sure character, 0–1.
    pub confidence: f32,
    /// Left edge.
    pub x0: u32,
    /// Top edge.
    pub y0: u32,
    /// Right edge (exclusive).
    pub x1: u32,
    /// Bottom edge (exclusive).
    pub y1: u32,
}

impl std::fmt::Debug for TextLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextLine")
            .field("chars", &self.text.chars().count())
            .field("confidence", &self.confidence)
            .field("box", &(self.x0, self.y0, self.x1, self.y1))
            .finish()
    }
}

mod dates;
mod labels;

use crate::check::Verdict;
use crate::date::Date;
use crate::mrz::{MrzDocument, mrz_spellings};

use dates::dates_in;
use labels::{Field, label_of};

/// A value read at least this sure may contradict the MRZ (`attention`); a less sure one
/// that disagrees leaves the comparison `not_processed`, since the reading may be wrong.
const CONFIDENT: f32 = 0.9;
/// A value's top is at most this many label heights below the label's bottom.
const VALUE_BELOW_HEIGHTS: u32 = 2;
/// A value beside its label starts at most this many label heights after it.
const VALUE_BESIDE_HEIGHTS: u32 = 12;

/// The visual zone against the MRZ: `consistencyAnalysis.firstName`, `.lastName` and `.dob`,
/// and the issue date (printed only in the visual zone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VisualZoneFindings {
    /// Given names.
    pub first_name: Verdict,
    /// Surname.
    pub last_name: Verdict,
    /// Date of birth.
    pub dob: Verdict,
    /// The issue date, which only the visual zone prints.
    pub issue_date: Option<IssueDate>,
}

/// An issue date read from the visual zone, and how it was recognised as one.
///
/// `Debug` leaves the date out (it is part of a person's document).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct IssueDate {
    /// The date.
    pub date: Date,
    /// `true`: printed by an issue-date label; `false`: the one date on the page besides the
    /// MRZ's birth and expiry dates, between them and not in the future.
    pub labelled: bool,
}

impl std::fmt::Debug for IssueDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssueDate")
            .field("labelled", &self.labelled)
            .finish_non_exhaustive()
    }
}

impl VisualZoneFindings {
    /// Whether reading more of the page could change nothing: both names and the birth date
    /// agree with the MRZ and the issue date is known.
    #[must_use]
    pub fn complete(&self) -> bool {
        self.first_name == Verdict::Clear
            && self.last_name == Verdict::Clear
            && self.dob == Verdict::Clear
            && self.issue_date.is_some()
    }
}

impl VisualZoneFindings {
    /// Nothing compared: every verdict `not_processed`.
    pub const NOT_PROCESSED: Self = Self {
        first_name: Verdict::NotProcessed,
        last_name: Verdict::NotProcessed,
        dob: Verdict::NotProcessed,
        issue_date: None,
    };
}

/// Compares the MRZ with the text of the document's pages (each page's lines in that page's
/// pixels).
///
/// Where a field's label is found (`Surname`, `Nom`, `Date of birth`, …) the text under or
/// beside it is the field's value: `clear` when it is the MRZ's, `attention` when it was read
/// confidently and is not, `not_processed` when the reading is unsure. Without a label, the
/// MRZ's value found anywhere on the page is `clear`, and not finding it is `not_processed`:
/// text the reader missed is no evidence of a difference.
#[must_use]
pub fn compare(doc: &MrzDocument, pages: &[&[TextLine]], today: Date) -> VisualZoneFindings {
    let truncated = doc.name.possibly_truncated;
    let last_name = name_verdict(
        &doc.name.primary,
        truncated,
        labelled(pages, Field::Surname),
        pages,
    );
    let first_name = name_verdict(
        &doc.name.secondary,
        truncated,
        labelled(pages, Field::GivenNames),
        pages,
    );
    let dob = match doc.birth_date.date {
        None => Verdict::NotProcessed,
        Some(birth) => date_verdict(birth, labelled(pages, Field::BirthDate), pages),
    };
    let birth = doc.birth_date.date;
    let plausible = |d: &Date| *d <= today && birth.is_none_or(|b| b < *d);
    let from_label = labelled(pages, Field::IssueDate)
        .and_then(|v| match dates_in(&v.text).as_slice() {
            [only] => only.date(),
            _ => None,
        })
        .filter(plausible)
        .map(|date| IssueDate {
            date,
            labelled: true,
        });
    let issue_date = from_label.or_else(|| {
        let expiry = doc.expiry_date.date;
        let mut others: Vec<Date> = pages
            .iter()
            .flat_map(|lines| lines.iter())
            .flat_map(|l| dates_in(&l.text))
            .filter(|p| !p.ambiguous)
            .filter_map(|p| p.date())
            .filter(|d| Some(*d) != birth && Some(*d) != expiry)
            .filter(|d| plausible(d) && expiry.is_none_or(|e| *d < e))
            .collect();
        others.dedup();
        match others.as_slice() {
            [only] => Some(IssueDate {
                date: *only,
                labelled: false,
            }),
            _ => None,
        }
    });
    VisualZoneFindings {
        first_name,
        last_name,
        dob,
        issue_date,
    }
}

/// The value of the first `field` label found on any page.
fn labelled<'a>(pages: &[&'a [TextLine]], field: Field) -> Option<&'a TextLine> {
    pages.iter().find_map(|lines| {
        lines
            .iter()
            .filter(|l| label_of(&l.text) == Some(field))
            .find_map(|label| value_of(label, lines))
    })
}

/// The text that fills `label`: the nearest non-label line starting under it (left-aligned
/// with it, within two label heights), else the nearest on its row to its right.
fn value_of<'a>(label: &TextLine, lines: &'a [TextLine]) -> Option<&'a TextLine> {
    // Lines come from callers too (public fields): a box given upside down must not underflow.
    let h = label.y1.saturating_sub(label.y0).max(1);
    let candidates = lines
        .iter()
        .filter(|l| !std::ptr::eq(*l, label) && label_of(&l.text).is_none());
    let below = candidates
        .clone()
        .filter(|l| {
            l.y0 >= label.y0.saturating_add(h / 2)
                && l.y0
                    <= label
                        .y1
                        .saturating_add(VALUE_BELOW_HEIGHTS.saturating_mul(h))
                && l.x0.abs_diff(label.x0) <= 2 * h
        })
        .min_by_key(|l| (l.y0, l.x0.abs_diff(label.x0)));
    below.or_else(|| {
        candidates
            .filter(|l| {
                let overlap = l.y1.min(label.y1).saturating_sub(l.y0.max(label.y0));
                2 * u64::from(overlap) >= u64::from(h)
                    && l.x0 >= label.x1
                    && l.x0 - label.x1 <= VALUE_BESIDE_HEIGHTS.saturating_mul(h)
            })
            .min_by_key(|l| l.x0)
    })
}

/// Whether `value` (a field's whole text) is the MRZ name made of `target`'s parts.
fn is_name(target: &[String], truncated: bool, value: &str) -> bool {
    let wanted = target.join("<");
    mrz_spellings(value)
        .iter()
        .any(|spelled| *spelled == wanted || (truncated && spelled.starts_with(&wanted)))
}

/// Whether one of `value`'s word sequence and `target` begins the other (a name wrapped onto
/// two lines, or shortened to fit the MRZ).
fn shares_leading_names(target: &[String], value: &str) -> bool {
    mrz_spellings(value).iter().any(|spelled| {
        let words: Vec<&str> = spelled.split('<').filter(|w| !w.is_empty()).collect();
        !words.is_empty() && words.iter().zip(target).all(|(w, t)| *w == t)
    })
}

/// Whether the MRZ name parts `target` appear, in order and next to each other, among the
/// words of `text`.
fn contains_name(target: &[String], truncated: bool, text: &str) -> bool {
    mrz_spellings(text).iter().any(|spelled| {
        let words: Vec<&str> = spelled.split('<').filter(|w| !w.is_empty()).collect();
        words.windows(target.len()).any(|window| {
            window.iter().zip(target).enumerate().all(|(i, (w, t))| {
                *w == t || (truncated && i + 1 == target.len() && w.starts_with(t.as_str()))
            })
        })
    })
}

fn name_verdict(
    target: &[String],
    truncated: bool,
    value: Option<&TextLine>,
    pages: &[&[TextLine]],
) -> Verdict {
    if target.is_empty() {
        return Verdict::NotProcessed;
    }
    if let Some(v) = value {
        return if is_name(target, truncated, &v.text) {
            Verdict::Clear
        } else if shares_leading_names(target, &v.text) {
            // `ANNA` for `ANNA MARIA`: the rest may sit on a line the reader did not join, or
            // the MRZ may have shortened the name. Not evidence either way.
            Verdict::NotProcessed
        } else if v.confidence >= CONFIDENT {
            Verdict::Attention
        } else {
            Verdict::NotProcessed
        };
    }
    anywhere(pages, |text| contains_name(target, truncated, text))
}

fn date_verdict(birth: Date, value: Option<&TextLine>, pages: &[&[TextLine]]) -> Verdict {
    if let Some(v) = value {
        let found = dates_in(&v.text);
        return if found.iter().any(|d| d.is(birth)) {
            Verdict::Clear
        } else if !found.is_empty() && v.confidence >= CONFIDENT {
            Verdict::Attention
        } else {
            Verdict::NotProcessed
        };
    }
    anywhere(pages, |text| dates_in(text).iter().any(|d| d.is(birth)))
}

/// Without a labelled value: `clear` when some line of some page holds the MRZ's value, else
/// `not_processed` (text the reader missed is no evidence of a difference).
fn anywhere(pages: &[&[TextLine]], holds: impl Fn(&str) -> bool) -> Verdict {
    let found = pages
        .iter()
        .flat_map(|lines| lines.iter())
        .any(|l| holds(&l.text));
    if found {
        Verdict::Clear
    } else {
        Verdict::NotProcessed
    }
}

#[cfg(test)]
mod tests;
