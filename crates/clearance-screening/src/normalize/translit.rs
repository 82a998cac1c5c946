//! Script transliteration: our own Cyrillic table (BGN/PCGN-like, as the sanctions lists spell
//! Russian and Ukrainian names) with `deunicode` as the fallback for every other script.

/// Latin spelling of one Cyrillic letter (lower case), or `None` if `c` is not Cyrillic.
fn cyrillic(c: char) -> Option<&'static str> {
    let s = match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' => "e",
        'ё' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' => "",
        'ы' => "y",
        'ь' => "",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        'і' => "i",
        'ї' => "yi",
        'є' => "ye",
        'ґ' => "g",
        'ў' => "u",
        'ј' => "j",
        'љ' => "lj",
        'њ' => "nj",
        'ћ' => "c",
        'ђ' => "dj",
        'џ' => "dz",
        'ѕ' => "dz",
        'ќ' => "kj",
        'ѓ' => "gj",
        _ => return None,
    };
    Some(s)
}

/// Transliterates `s` to lower-case ASCII. Characters without a Latin equivalent are dropped.
pub fn to_ascii_lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        if ch.is_ascii() {
            out.push(ch.to_ascii_lowercase());
            continue;
        }
        let lower = ch.to_lowercase().next().unwrap_or(ch);
        if let Some(l) = cyrillic(lower) {
            out.push_str(l);
            continue;
        }
        match lower {
            // apostrophe-like marks vanish (O’Brien → obrien), dash-like marks split words
            '\u{2018}' | '\u{2019}' | '\u{02bc}' | '\u{02bb}' | '\u{02b9}' | '\u{00b4}'
            | '\u{2032}' => out.push('\''),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => out.push('-'),
            _ => {
                let mut buf = [0u8; 4];
                let t =
                    deunicode::deunicode_char(lower).unwrap_or_else(|| lower.encode_utf8(&mut buf));
                for b in t.chars() {
                    out.push(b.to_ascii_lowercase());
                }
                // A Hangul block is one syllable of a name: keep them apart (`김정은` →
                // `gim jeong eun`), as the lists write the romanised parts.
                if ('\u{ac00}'..='\u{d7a3}').contains(&lower) {
                    out.push(' ');
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_names() {
        assert_eq!(
            to_ascii_lower("Евгений Петрович Грабчак"),
            "evgeniy petrovich grabchak"
        );
        assert_eq!(to_ascii_lower("Кирилл Шамалов"), "kirill shamalov");
        assert_eq!(to_ascii_lower("Валеры Болотов"), "valery bolotov");
    }

    #[test]
    fn hangul_syllables_stay_apart() {
        assert_eq!(
            to_ascii_lower("김정은")
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["gim", "jeong", "eun"]
        );
    }

    #[test]
    fn other_scripts() {
        assert_eq!(to_ascii_lower("Müller Ñandú"), "muller nandu");
        assert!(!to_ascii_lower("Αλέξανδρος").is_empty());
        assert!(!to_ascii_lower("محمد").is_empty());
    }
}
