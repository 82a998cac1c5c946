//! Names and streets reduced to the tokens searches compare: ASCII, lower case, punctuation gone,
//! `&` read as `and`, and the words registers and people write in several ways made one
//! (`Limited`/`Ltd`, `Street`/`St`). Legal forms and filler words are set apart, since a search
//! by a company's name without its legal form must still find it first.

use deunicode::deunicode;

/// Splits `text` into lower-case ASCII words, joining apostrophes and dots (`Martin's` →
/// `martins`, `P.L.C.` → `plc`) and splitting on every other non-alphanumeric character.
pub fn words(text: &str) -> Vec<String> {
    let ascii = deunicode(&text.replace(['&', '+'], " and ")).to_ascii_lowercase();
    ascii
        .replace(['\'', '’', '`', '.'], "")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// One spelling for the business words registers abbreviate.
fn canonical_business_word(word: &str) -> &str {
    match word {
        "limited" => "ltd",
        "company" | "cos" => "co",
        "corporation" => "corp",
        "incorporated" => "inc",
        "international" => "intl",
        "group" => "grp",
        "holding" => "holdings",
        "services" => "service",
        "management" => "mgmt",
        "brothers" | "bros" => "bro",
        "centre" => "center",
        "gesellschaft" => "ges",
        other => other,
    }
}

/// Legal forms: dropped from the words a company name is matched on.
fn is_legal_form(word: &str) -> bool {
    matches!(
        word,
        "ltd"
            | "plc"
            | "llp"
            | "lp"
            | "llc"
            | "inc"
            | "corp"
            | "cic"
            | "cio"
            | "gmbh"
            | "ag"
            | "kg"
            | "ug"
            | "sa"
            | "sas"
            | "sarl"
            | "srl"
            | "spa"
            | "bv"
            | "nv"
            | "ab"
            | "as"
            | "oy"
            | "aps"
            | "pty"
            | "pte"
            | "ulc"
            | "lda"
            | "sl"
            | "kft"
            | "sro"
            | "zoo"
            | "doo"
            | "oao"
            | "ooo"
            | "zao"
            | "pjsc"
            | "jsc"
    )
}

/// Words that say nothing about which company is meant.
fn is_filler(word: &str) -> bool {
    matches!(word, "the" | "and" | "of" | "uk")
}

/// The words a company name is matched on: canonical spellings, without the legal form
/// (`public limited company`, `limited liability partnership` included) or filler. A name made
/// only of such words (`THE COMPANY LIMITED`) keeps its words.
pub fn company_words(name: &str) -> Vec<String> {
    let raw = words(name);
    let mut canonical: Vec<&str> = raw.iter().map(|w| canonical_business_word(w)).collect();
    // Multi-word legal forms first, so that "public", "liability" or "partnership" alone stay.
    for (phrase, _) in [
        (&["public", "ltd", "co"][..], "plc"),
        (&["ltd", "liability", "partnership"][..], "llp"),
        (&["ltd", "liability", "co"][..], "llc"),
        (&["ltd", "partnership"][..], "lp"),
        (&["community", "interest", "co"][..], "cic"),
    ] {
        while let Some(at) = canonical.windows(phrase.len()).position(|w| w == phrase) {
            canonical.drain(at..at + phrase.len());
        }
    }
    let core = join_initials(
        canonical
            .iter()
            .filter(|w| !is_legal_form(w) && !is_filler(w))
            .map(|w| (*w).to_owned()),
    );
    if core.is_empty() {
        canonical.into_iter().map(str::to_owned).collect()
    } else {
        core
    }
}

/// Runs of single letters become one word: `C S Engineering`, `C.S. Engineering` and `M & M`
/// meet `CS ENGINEERING` and `M&M`.
fn join_initials(words: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut run = false;
    for word in words {
        let single = word.len() == 1 && word.chars().all(|c| c.is_ascii_alphabetic());
        match out.last_mut() {
            Some(last) if single && run => last.push_str(&word),
            _ => out.push(word),
        }
        run = single;
    }
    out
}

/// One spelling for the street words addresses abbreviate, in English and German.
fn canonical_street_word(word: &str) -> String {
    let mapped = match word {
        "st" => "street",
        "str" | "strase" => "strasse",
        "rd" => "road",
        "ave" | "av" => "avenue",
        "ln" => "lane",
        "dr" => "drive",
        "ct" => "court",
        "pl" => "place",
        "sq" => "square",
        "cres" => "crescent",
        "tce" | "terr" => "terrace",
        "gdns" => "gardens",
        "blvd" => "boulevard",
        "pkwy" => "parkway",
        "hwy" => "highway",
        "n" => "north",
        "s" => "south",
        "e" => "east",
        "w" => "west",
        other => other,
    };
    // German compounds: "Potsdamerstr" / "Potsdamer Straße" / "Potsdamer Str." meet on "strasse".
    if let Some(stem) = mapped.strip_suffix("strasse") {
        if !stem.is_empty() {
            return format!("{stem} strasse");
        }
    } else if let Some(stem) = mapped.strip_suffix("str")
        && stem.len() > 2
    {
        return format!("{stem} strasse");
    }
    mapped.to_owned()
}

/// The words an address line is matched on, house numbers apart: (street words, numbers).
/// Ordinals lose their suffix (`26th` → `26`), so `West 26th St` meets `WEST 26 STREET`.
pub fn street_words(line: &str) -> (Vec<String>, Vec<String>) {
    let mut street = Vec::new();
    let mut numbers = Vec::new();
    for word in words(&line.replace('ß', "ss").replace('.', " ")) {
        let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let ordinal = ["st", "nd", "rd", "th"]
            .iter()
            .any(|s| word.strip_prefix(digits) == Some(s));
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            if ordinal {
                street.push(digits.to_owned());
            } else {
                numbers.push(word.clone());
            }
            continue;
        }
        for part in canonical_street_word(&word).split(' ') {
            street.push(part.to_owned());
        }
    }
    (street, numbers)
}

/// A postcode as compared: upper case, no spaces or punctuation.
pub fn postcode(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The outward code of a UK postcode (`AB116BA` → `AB11`): everything but the last three
/// characters, when what is left looks like an outward code.
pub fn uk_outward(normalised: &str) -> Option<String> {
    let n = normalised.len();
    (5..=7)
        .contains(&n)
        .then(|| normalised[..n - 3].to_owned())
        .filter(|o| o.starts_with(|c: char| c.is_ascii_alphabetic()))
}

/// Optimal-string-alignment distance between two words, or `None` past `max`.
pub fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a = a.as_bytes();
    let b = b.as_bytes();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|d| *d <= max)
}

/// How many typos a word of this length may carry and still match.
pub fn typo_allowance(word: &str) -> usize {
    match word.len() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// How well `query` word matches `candidate` word: 1 exact, less for a typo or a prefix, 0 none.
pub fn word_similarity(query: &str, candidate: &str) -> f64 {
    if query == candidate {
        return 1.0;
    }
    let allowance = typo_allowance(query).min(typo_allowance(candidate).max(1));
    if let Some(d) = edit_distance(query, candidate, allowance) {
        return 1.0 - 0.2 * d as f64;
    }
    0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_forms_and_ampersands_do_not_count() {
        assert_eq!(company_words("TESCO STORES LIMITED"), ["tesco", "stores"]);
        assert_eq!(company_words("Tesco Stores Ltd."), ["tesco", "stores"]);
        assert_eq!(
            company_words("Marks & Spencer Public Limited Company"),
            ["marks", "spencer"]
        );
        assert_eq!(company_words("MARKS AND SPENCER PLC"), ["marks", "spencer"]);
        assert_eq!(company_words("! LTD"), ["ltd"]);
        assert_eq!(
            company_words("Société Générale S.A."),
            ["societe", "generale"]
        );
        assert_eq!(company_words("MARTIN’S CAFE LIMITED"), ["martins", "cafe"]);
        assert_eq!(
            company_words("C S Engineering (South East)"),
            ["cs", "engineering", "south", "east"]
        );
        assert_eq!(company_words("M&M IT LTD"), ["mm", "it"]);
    }

    #[test]
    fn streets_meet_across_abbreviations_and_compounds() {
        assert_eq!(street_words("11 Something Ave").0, ["something", "avenue"]);
        assert_eq!(street_words("11 Something Ave").1, ["11"]);
        assert_eq!(
            street_words("Potsdamer Straße 4").0,
            ["potsdamer", "strasse"]
        );
        assert_eq!(street_words("Potsdamerstr. 4").0, ["potsdamer", "strasse"]);
        assert_eq!(street_words("West 26th St").0, ["west", "26", "street"]);
        assert_eq!(street_words("14 A Grolmanstraße").1, ["14"]);
    }

    #[test]
    fn postcodes_compare_without_spacing() {
        assert_eq!(postcode(" ab11 6ba"), "AB116BA");
        assert_eq!(uk_outward("AB116BA").as_deref(), Some("AB11"));
        assert_eq!(uk_outward("M11AD").as_deref(), Some("M1"));
        assert_eq!(uk_outward("10117"), None);
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(edit_distance("cledara", "cledara", 2), Some(0));
        assert_eq!(edit_distance("cledara", "celdara", 2), Some(1));
        assert_eq!(edit_distance("cledara", "cledarra", 2), Some(1));
        assert_eq!(edit_distance("abc", "xyz", 1), None);
        assert!(word_similarity("tesco", "tesko") > 0.7);
        assert_eq!(word_similarity("co", "cx"), 0.0);
    }
}
