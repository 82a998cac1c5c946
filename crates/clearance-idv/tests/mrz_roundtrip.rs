//! Property tests: random valid MRZs, rendered and parsed back, keep every field
//! and every check digit; OCR lookalikes in dates and check digits are restored.

use clearance_idv::Date;
use clearance_idv::mrz::{MrzFields, MrzFormat, parse_lines, render};
use proptest::prelude::*;

fn today() -> Date {
    Date::new(2026, 11, 28).expect("valid date")
}

fn word(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Z]{{1,{max}}}")).expect("regex")
}

fn yymmdd() -> impl Strategy<Value = String> {
    (0u8..100, 1u8..13, 1u8..29).prop_map(|(y, m, d)| format!("{y:02}{m:02}{d:02}"))
}

fn format_strategy() -> impl Strategy<Value = MrzFormat> {
    prop::sample::select(MrzFormat::ALL.to_vec())
}

fn fields(format: MrzFormat) -> impl Strategy<Value = MrzFields> {
    let code = match format {
        MrzFormat::Td3 => prop::sample::select(vec!["P", "PD", "PO"]),
        MrzFormat::MrvA | MrzFormat::MrvB => prop::sample::select(vec!["V", "VB"]),
        _ => prop::sample::select(vec!["I", "ID", "AC", "IR", "C"]),
    };
    let states = prop::sample::select(vec!["UTO", "GBR", "D", "FRA", "XXA", "UNO", "USA"]);
    let long_ok = matches!(format, MrzFormat::Td1 | MrzFormat::Td2);
    let number_max = if long_ok { 12 } else { 9 };
    let optional_max: usize = match format {
        MrzFormat::Td3 => 14,
        MrzFormat::Td1 => 10,
        MrzFormat::Td2 => 7,
        MrzFormat::MrvA => 16,
        MrzFormat::MrvB => 8,
    };
    let name_budget = match format {
        MrzFormat::Td1 => 13,
        MrzFormat::Td2 | MrzFormat::MrvB => 14,
        _ => 18,
    };
    (
        code,
        states.clone(),
        states,
        prop::collection::vec(word(6), 1..3),
        prop::collection::vec(word(6), 0..3),
        proptest::string::string_regex(&format!("[A-Z0-9]{{1,{number_max}}}")).expect("regex"),
        yymmdd(),
        prop::sample::select(vec!['M', 'F', '<', 'X']),
        yymmdd(),
        proptest::string::string_regex(&format!(
            "([A-Z0-9]([A-Z0-9<]{{0,{}}}[A-Z0-9])?)?",
            optional_max.saturating_sub(2)
        ))
        .expect("regex"),
        proptest::string::string_regex("([A-Z0-9]{1,11})?").expect("regex"),
    )
        .prop_map(
            move |(
                code,
                issuing,
                nat,
                primary,
                secondary,
                number,
                birth,
                sex,
                expiry,
                opt,
                opt2,
            )| {
                let mut primary = primary.join(" ");
                primary.truncate(name_budget);
                let mut secondary = secondary.join(" ");
                secondary.truncate(name_budget);
                MrzFields {
                    document_code: code.to_owned(),
                    issuing_state: issuing.to_owned(),
                    primary: primary.trim().to_owned(),
                    secondary: secondary.trim().to_owned(),
                    // The overflow of a long number takes optional-data room.
                    optional: if number.len() > 9 {
                        String::new()
                    } else {
                        opt.chars().take(optional_max).collect()
                    },
                    document_number: number,
                    nationality: nat.to_owned(),
                    birth,
                    sex,
                    expiry,
                    optional2: if format == MrzFormat::Td1 {
                        opt2
                    } else {
                        String::new()
                    },
                }
            },
        )
}

fn case() -> impl Strategy<Value = (MrzFormat, MrzFields)> {
    format_strategy().prop_flat_map(|f| (Just(f), fields(f)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn rendered_mrz_parses_back((format, f) in case()) {
        let lines = render(format, &f).expect("fits");
        let doc = parse_lines(&lines, today()).expect("parses");
        prop_assert_eq!(doc.format, format);
        prop_assert!(doc.checksums_valid(), "{:?} {:?}", doc.checks, lines);
        prop_assert!(doc.corrections.is_empty(), "{:?}", lines);
        prop_assert_eq!(&doc.lines, &lines);
        prop_assert_eq!(&doc.document_number, &f.document_number);
        prop_assert_eq!(doc.issuing_state.code.as_str(), f.issuing_state.as_str());
        prop_assert_eq!(doc.nationality.code.as_str(), f.nationality.as_str());
        prop_assert_eq!(&doc.birth_date.raw, &f.birth);
        prop_assert_eq!(&doc.expiry_date.raw, &f.expiry);
        prop_assert_eq!(&doc.optional_data, &f.optional);
        prop_assert_eq!(doc.name.primary.join(" "), f.primary.clone());
        prop_assert_eq!(doc.name.secondary.join(" "), f.secondary.clone());
        if format == MrzFormat::Td1 {
            prop_assert_eq!(doc.optional_data_2.as_deref(), Some(f.optional2.as_str()));
        }
        if let Some(birth) = doc.birth_date.date {
            prop_assert!(birth <= today());
        }
    }

    /// A digit read as its letter lookalike in a date or check digit is put back.
    #[test]
    fn date_lookalikes_are_restored((format, f) in case(), pick in 0usize..6) {
        let lines = render(format, &f).expect("fits");
        // Birth date: TD1 line 2 columns 1-6, otherwise line 2 columns 14-19.
        let (line, start) = if format == MrzFormat::Td1 { (1, 0) } else { (1, 13) };
        let col = start + pick;
        let mut noisy = lines.clone();
        let original = noisy[line].as_bytes()[col];
        let lookalike = match original {
            b'0' => 'O',
            b'1' => 'I',
            b'2' => 'Z',
            b'5' => 'S',
            b'8' => 'B',
            b'6' => 'G',
            _ => return Ok(()),
        };
        noisy[line].replace_range(col..=col, &lookalike.to_string());
        let doc = parse_lines(&noisy, today()).expect("parses");
        prop_assert_eq!(&doc.lines, &lines);
        prop_assert_eq!(doc.corrections.len(), 1);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The same invariant as the cargo-fuzz target, on MRZ-like noise: never a
    /// panic, and an accepted text re-parses to the same lines and checks.
    #[test]
    fn parser_survives_mrz_like_noise(text in "[A-Z0-9<«a-z ?\n]{0,140}") {
        if let Ok(doc) = clearance_idv::mrz::parse(&text, today()) {
            prop_assert_eq!(doc.lines.len(), doc.format.line_count());
            prop_assert!(doc.lines.iter().all(|l| l.len() == doc.format.line_len()));
            let again = clearance_idv::mrz::parse(&doc.lines.join("\n"), today()).expect("re-parses");
            prop_assert_eq!(&again.lines, &doc.lines);
            prop_assert_eq!(&again.checks, &doc.checks);
        }
    }

    /// Near-MRZs (a specimen with random edits) exercise the repair paths.
    #[test]
    fn parser_survives_edited_specimens(edits in prop::collection::vec((0usize..90, "[A-Z0-9<]"), 0..6)) {
        let mut text: Vec<char> = "I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<".chars().collect();
        for (pos, c) in edits {
            let pos = pos.min(text.len() - 1);
            if text[pos] != '\n' {
                text[pos] = c.chars().next().unwrap_or('<');
            }
        }
        let text: String = text.into_iter().collect();
        let doc = clearance_idv::mrz::parse(&text, today()).expect("shape intact");
        let again = clearance_idv::mrz::parse(&doc.lines.join("\n"), today()).expect("re-parses");
        prop_assert_eq!(&again.lines, &doc.lines);
    }
}
