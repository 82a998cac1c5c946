//! Field labels of visual zones, in the languages of most Latin-script documents, so a value
//! can be tied to the field it fills ("Surname" → the text under it).

/// What a label names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    Surname,
    GivenNames,
    BirthDate,
    IssueDate,
}

/// Labels, as MRZ spellings (upper case, unaccented, words joined by `<`).
const LABELS: &[(&str, Field)] = &[
    ("SURNAME", Field::Surname),
    ("SURNAMES", Field::Surname),
    ("LAST<NAME", Field::Surname),
    ("FAMILY<NAME", Field::Surname),
    ("NAME", Field::Surname),
    ("NOM", Field::Surname),
    ("APELLIDOS", Field::Surname),
    ("APELLIDO", Field::Surname),
    ("NACHNAME", Field::Surname),
    ("FAMILIENNAME", Field::Surname),
    ("COGNOME", Field::Surname),
    ("ACHTERNAAM", Field::Surname),
    ("SOBRENOME", Field::Surname),
    ("APELIDOS", Field::Surname),
    ("NAZWISKO", Field::Surname),
    ("EFTERNAMN", Field::Surname),
    ("GIVEN<NAMES", Field::GivenNames),
    ("GIVEN<NAME", Field::GivenNames),
    ("FIRST<NAME", Field::GivenNames),
    ("FIRST<NAMES", Field::GivenNames),
    ("FORENAMES", Field::GivenNames),
    ("PRENOMS", Field::GivenNames),
    ("PRENOM", Field::GivenNames),
    ("NOMBRES", Field::GivenNames),
    ("NOMBRE", Field::GivenNames),
    ("VORNAMEN", Field::GivenNames),
    ("VORNAME", Field::GivenNames),
    ("NOME", Field::GivenNames),
    ("NOMI", Field::GivenNames),
    ("VOORNAMEN", Field::GivenNames),
    ("IMIONA", Field::GivenNames),
    ("FORNAMN", Field::GivenNames),
    ("DATE<OF<BIRTH", Field::BirthDate),
    ("BIRTH<DATE", Field::BirthDate),
    ("DATE<DE<NAISSANCE", Field::BirthDate),
    ("FECHA<DE<NACIMIENTO", Field::BirthDate),
    ("GEBURTSDATUM", Field::BirthDate),
    ("GEBURTSTAG", Field::BirthDate),
    ("DATA<DI<NASCITA", Field::BirthDate),
    ("GEBOORTEDATUM", Field::BirthDate),
    ("DATA<DE<NASCIMENTO", Field::BirthDate),
    ("DATA<URODZENIA", Field::BirthDate),
    ("FODELSEDATUM", Field::BirthDate),
    ("DATE<OF<ISSUE", Field::IssueDate),
    ("ISSUE<DATE", Field::IssueDate),
    ("DATE<DE<DELIVRANCE", Field::IssueDate),
    ("FECHA<DE<EXPEDICION", Field::IssueDate),
    ("AUSSTELLUNGSDATUM", Field::IssueDate),
    ("DATA<DI<RILASCIO", Field::IssueDate),
    ("DATUM<VAN<AFGIFTE", Field::IssueDate),
    ("DATA<DE<EMISSAO", Field::IssueDate),
    ("DATA<WYDANIA", Field::IssueDate),
];

/// The field `text` labels, when the whole text is a label: one label, or the same label in
/// several languages separated by `/` (`Surname/Nom`), optionally numbered (`1. Surname`).
/// A line holding anything else (a value, a sentence) is not a label.
pub(crate) fn label_of(text: &str) -> Option<Field> {
    let mut field = None;
    for part in text.split(['/', '|']) {
        let part = part.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ' ');
        if part.trim().is_empty() {
            continue;
        }
        let spelled = crate::mrz::mrz_spellings(part);
        let this = spelled.first().and_then(|s| field_named(s))?;
        if field.is_some_and(|f| f != this) {
            return None;
        }
        field = Some(this);
    }
    field
}

/// The field a label spelling names: an exact label, else the one field whose labels of six
/// letters or more are a single misread letter away (captions are small print, and the
/// recogniser slips on them more than on values). `rn` read as `m`, or `m` as `rn`, counts as
/// one misread, not two (`Sumame`, `Surnarne`).
fn field_named(spelled: &str) -> Option<Field> {
    if let Some(&(_, f)) = LABELS.iter().find(|(label, _)| *label == spelled) {
        return Some(f);
    }
    let mut near = LABELS
        .iter()
        .filter(|(label, _)| {
            label.len() >= 6
                && (one_edit_apart(label, spelled) || misread_forms(label).any(|f| f == spelled))
        })
        .map(|&(_, f)| f);
    let first = near.next()?;
    near.all(|f| f == first).then_some(first)
}

/// `label` as read with its first `RN` taken for `M`, or its first `M` for `RN` (the two look
/// alike in small print).
fn misread_forms(label: &str) -> impl Iterator<Item = String> {
    [
        label.contains("RN").then(|| label.replacen("RN", "M", 1)),
        label.contains('M').then(|| label.replacen('M', "RN", 1)),
    ]
    .into_iter()
    .flatten()
}

/// Whether `a` and `b` differ by exactly one substituted, inserted or deleted character.
fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 || a == b {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        short[prefix + 1..] == long[prefix + 1..]
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_in_several_languages_and_forms() {
        assert_eq!(label_of("Surname"), Some(Field::Surname));
        assert_eq!(label_of("Surname/Nom"), Some(Field::Surname));
        assert_eq!(label_of("1. Name / Nom"), Some(Field::Surname));
        assert_eq!(label_of("Given names"), Some(Field::GivenNames));
        assert_eq!(label_of("Prénoms / Given names"), Some(Field::GivenNames));
        assert_eq!(label_of("Date of birth"), Some(Field::BirthDate));
        assert_eq!(
            label_of("Date de naissance/Date of birth"),
            Some(Field::BirthDate)
        );
        assert_eq!(label_of("Date of issue"), Some(Field::IssueDate));
    }

    #[test]
    fn a_caption_misread_by_one_letter_is_still_its_label() {
        assert_eq!(label_of("Sumame"), Some(Field::Surname), "rn read as m");
        assert_eq!(label_of("Surnarne"), Some(Field::Surname), "m read as rn");
        assert_eq!(label_of("Sumarne"), None, "both at once");
        assert_eq!(label_of("Sunarne"), None, "m read as rn, and a letter lost");
        assert_eq!(label_of("Surnme"), Some(Field::Surname));
        assert_eq!(label_of("Glven names"), Some(Field::GivenNames));
        assert_eq!(label_of("Date of birtn"), Some(Field::BirthDate));
        // Short labels must be exact: NOME (given name) is one letter from NAME (surname).
        assert_eq!(label_of("Nume"), None);
        assert!(one_edit_apart("ABC", "ABD") && one_edit_apart("ABC", "AC"));
        assert!(!one_edit_apart("ABC", "ABC") && !one_edit_apart("ABC", "CBA"));
    }

    #[test]
    fn values_and_mixed_lines_are_not_labels() {
        for text in [
            "ERIKSSON",
            "ANNA MARIA",
            "12 AUG 1974",
            "Surname ERIKSSON",
            "Surname/Date of birth",
            "Nomad",
            "",
        ] {
            assert_eq!(label_of(text), None, "{text}");
        }
    }
}
