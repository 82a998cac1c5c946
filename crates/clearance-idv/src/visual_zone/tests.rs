use super::*;
use crate::mrz::parse;

const TD3: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";

fn today() -> Date {
    Date::new(2026, 11, 28).expect("valid")
}

fn doc() -> MrzDocument {
    parse(TD3, today()).expect("parses")
}

fn line(text: &str, x0: u32, y0: u32, w: u32, h: u32) -> TextLine {
    TextLine {
        text: text.to_owned(),
        confidence: 0.99,
        x0,
        y0,
        x1: x0 + w,
        y1: y0 + h,
    }
}

/// The specimen page's two columns of labels with values under them.
fn page(surname: &str, given: &str, birth: &str) -> Vec<TextLine> {
    vec![
        line("UTOPIA PASSPORT", 40, 30, 400, 28),
        line("Passport No.", 370, 184, 110, 17),
        line("Surname", 790, 184, 80, 15),
        line("L898902C3", 372, 210, 156, 20),
        line(surname, 792, 210, 137, 20),
        line("Given names", 370, 263, 117, 15),
        line("Nationality", 790, 263, 97, 18),
        line(given, 370, 290, 179, 20),
        line("UTOPIAN", 790, 290, 122, 20),
        line("Date of birth", 370, 343, 113, 15),
        line("Sex", 790, 344, 30, 14),
        line(birth, 372, 369, 182, 21),
        line("F", 792, 369, 12, 21),
        line("Date of issue", 370, 423, 117, 15),
        line("Date of expiry", 790, 423, 127, 18),
        line("16 APR 2007", 372, 449, 175, 21),
        line("15 APR 2012", 792, 449, 175, 21),
    ]
}

#[test]
fn labelled_values_that_agree_are_clear_and_the_issue_date_is_read() {
    let lines = page("ERIKSSON", "ANNA MARIA", "12 AUG 1974");
    let f = compare(&doc(), &[&lines], today());
    assert_eq!(
        (f.first_name, f.last_name, f.dob),
        (Verdict::Clear, Verdict::Clear, Verdict::Clear)
    );
    assert_eq!(
        f.issue_date,
        Some(IssueDate {
            date: Date::new(2007, 4, 16).expect("valid"),
            labelled: true
        })
    );
    assert!(f.complete());
}

#[test]
fn confident_values_that_differ_are_attention() {
    let lines = page("ERIKSON", "MARIA ANNA", "12 AUG 1975");
    let f = compare(&doc(), &[&lines], today());
    assert_eq!(
        (f.first_name, f.last_name, f.dob),
        (Verdict::Attention, Verdict::Attention, Verdict::Attention)
    );
}

#[test]
fn unsure_values_that_differ_are_not_processed() {
    let mut lines = page("ERIKSON", "ANNA", "12 AUG 1975");
    for l in &mut lines {
        l.confidence = 0.6;
    }
    let f = compare(&doc(), &[&lines], today());
    assert_eq!(
        (f.first_name, f.last_name, f.dob),
        (
            Verdict::NotProcessed,
            Verdict::NotProcessed,
            Verdict::NotProcessed
        )
    );
}

#[test]
fn without_labels_the_values_found_anywhere_are_clear() {
    let lines = vec![
        line("ERIKSSON, ANNA MARIA", 300, 100, 300, 20),
        line("12.08.1974  UTO", 300, 140, 300, 20),
    ];
    let f = compare(&doc(), &[&lines], today());
    assert_eq!(
        (f.first_name, f.last_name, f.dob),
        (Verdict::Clear, Verdict::Clear, Verdict::Clear)
    );
    assert_eq!(f.issue_date, None);
}

#[test]
fn nothing_found_is_not_processed_never_attention() {
    let lines = vec![line("SPECIMEN", 300, 100, 300, 20)];
    assert_eq!(
        compare(&doc(), &[&lines], today()),
        VisualZoneFindings::NOT_PROCESSED
    );
    assert_eq!(
        compare(&doc(), &[], today()),
        VisualZoneFindings::NOT_PROCESSED
    );
}

#[test]
fn national_characters_are_compared_after_transliteration() {
    let lines = page("ÉRIKSSON", "ÄNNA MARIA", "12 AOÛT 1974");
    let f = compare(&doc(), &[&lines], today());
    assert_eq!(
        (f.first_name, f.last_name, f.dob),
        (Verdict::Clear, Verdict::Clear, Verdict::Clear)
    );
}

#[test]
fn a_value_beside_its_label_is_found() {
    let lines = vec![
        line("Surname/Nom:", 100, 100, 120, 16),
        line("ERIKSSON", 240, 100, 100, 16),
        line("Date of birth", 100, 140, 120, 16),
        line("12 08 1974", 240, 140, 100, 16),
    ];
    let f = compare(&doc(), &[&lines], today());
    assert_eq!((f.last_name, f.dob), (Verdict::Clear, Verdict::Clear));
}

#[test]
fn labels_on_another_page_do_not_take_values_from_this_one() {
    let labels = vec![line("Surname", 100, 100, 80, 15)];
    let values = vec![line("SMITH", 100, 120, 80, 20)];
    let f = compare(&doc(), &[&labels, &values], today());
    assert_eq!(f.last_name, Verdict::NotProcessed);
}

#[test]
fn without_a_label_the_one_other_date_is_the_issue_date() {
    let lines = vec![
        line("ERIKSSON", 300, 100, 100, 20),
        line("12 AUG 1974", 300, 140, 100, 20),
        line("16 APR 2007", 300, 180, 100, 20),
        line("15 APR 2012", 500, 180, 100, 20),
    ];
    let f = compare(&doc(), &[&lines], today());
    assert_eq!(
        f.issue_date,
        Some(IssueDate {
            date: Date::new(2007, 4, 16).expect("valid"),
            labelled: false
        })
    );
    // Two candidates: neither is taken.
    let mut two = lines.clone();
    two.push(line("01 JAN 2008", 300, 220, 100, 20));
    assert_eq!(compare(&doc(), &[&two], today()).issue_date, None);
    // A future date is not an issue date.
    let future = vec![line("01 JAN 2030", 300, 220, 100, 20)];
    assert_eq!(compare(&doc(), &[&future], today()).issue_date, None);
}

#[test]
fn a_name_cut_short_or_wrapped_is_not_evidence_of_a_difference() {
    // The given names wrapped onto a second line the reader did not join.
    let lines = page("ERIKSSON", "ANNA", "12 AUG 1974");
    let f = compare(&doc(), &[&lines], today());
    assert_eq!(f.first_name, Verdict::NotProcessed);
    // More names on the page than the MRZ holds.
    let lines = page("ERIKSSON", "ANNA MARIA LOUISE", "12 AUG 1974");
    let f = compare(&doc(), &[&lines], today());
    assert_eq!(f.first_name, Verdict::NotProcessed);
}

#[test]
fn boxes_given_upside_down_or_at_the_edge_of_the_range_do_not_panic() {
    let mut label = line("Surname", 100, 100, 80, 15);
    (label.y0, label.y1) = (label.y1, label.y0);
    let far = line("SMITH", u32::MAX - 10, u32::MAX - 10, 5, 5);
    let lines = vec![
        label,
        far,
        line("Date of birth", u32::MAX - 30, u32::MAX - 20, 5, 5),
    ];
    let f = compare(&doc(), &[&lines], today());
    assert_eq!(f.last_name, Verdict::NotProcessed);
}
