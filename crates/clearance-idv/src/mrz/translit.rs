//! Writing names the MRZ way (ICAO 9303 Part 3 §6 transliteration of Latin
//! national characters), to compare client-supplied names with an MRZ.

/// The ICAO-recommended MRZ spelling of one character, and the alternative some
/// states use (`Ä` → `AE`, or just `A`).
fn map_char(c: char) -> Option<(&'static str, Option<&'static str>)> {
    let m = match c {
        'A'..='Z' => return None,
        'Á' | 'À' | 'Â' | 'Ã' | 'Ą' | 'Ă' | 'Ā' => ("A", None),
        'Ä' => ("AE", Some("A")),
        'Å' => ("AA", Some("A")),
        'Æ' => ("AE", None),
        'Ç' | 'Ć' | 'Č' | 'Ĉ' | 'Ċ' => ("C", None),
        'Ď' | 'Đ' | 'Ð' => ("D", None),
        'É' | 'È' | 'Ê' | 'Ë' | 'Ě' | 'Ę' | 'Ė' | 'Ē' => ("E", None),
        'Ğ' | 'Ĝ' | 'Ġ' | 'Ģ' => ("G", None),
        'Ĥ' | 'Ħ' => ("H", None),
        'Í' | 'Ì' | 'Î' | 'Ï' | 'Į' | 'Ī' | 'İ' | 'Ĩ' => ("I", None),
        'Ĳ' => ("IJ", None),
        'Ĵ' => ("J", None),
        'Ķ' => ("K", None),
        'Ł' | 'Ľ' | 'Ĺ' | 'Ļ' | 'Ŀ' => ("L", None),
        'Ñ' | 'Ń' | 'Ň' | 'Ņ' => ("N", None),
        'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ő' | 'Ō' => ("O", None),
        'Ö' => ("OE", Some("O")),
        'Ø' | 'Œ' => ("OE", None),
        'Ŕ' | 'Ř' | 'Ŗ' => ("R", None),
        'Ś' | 'Š' | 'Ş' | 'Ŝ' | 'Ș' => ("S", None),
        'ẞ' => ("SS", None),
        'Ť' | 'Ţ' | 'Ț' | 'Ŧ' => ("T", None),
        'Þ' => ("TH", None),
        'Ú' | 'Ù' | 'Û' | 'Ů' | 'Ű' | 'Ų' | 'Ū' | 'Ũ' | 'Ŭ' => ("U", None),
        'Ü' => ("UE", Some("U")),
        'Ŵ' => ("W", None),
        'Ý' | 'Ÿ' | 'Ŷ' => ("Y", None),
        'Ź' | 'Ž' | 'Ż' => ("Z", None),
        ' ' | '-' => ("<", None),
        _ => ("", None),
    };
    Some(m)
}

/// Most alternative spellings generated for one name.
const MAX_VARIANTS: usize = 16;

/// The MRZ spellings of `name`: upper case, national characters transliterated
/// (the ICAO-recommended form first, then the single-letter forms some states
/// use for `Ä`, `Å`, `Ö`, `Ü`), spaces and hyphens as `<`, other punctuation
/// dropped, runs of `<` collapsed.
#[must_use]
pub fn mrz_spellings(name: &str) -> Vec<String> {
    let mut variants = vec![String::new()];
    for c in name.trim().chars().flat_map(char::to_uppercase) {
        if c == 'ß' {
            variants.iter_mut().for_each(|v| v.push_str("SS"));
            continue;
        }
        match map_char(c) {
            None => variants.iter_mut().for_each(|v| v.push(c)),
            Some((main, alt)) => {
                if let Some(alt) = alt.filter(|_| variants.len() * 2 <= MAX_VARIANTS) {
                    let mut extra: Vec<String> =
                        variants.iter().map(|v| format!("{v}{alt}")).collect();
                    variants.iter_mut().for_each(|v| v.push_str(main));
                    variants.append(&mut extra);
                } else {
                    variants.iter_mut().for_each(|v| v.push_str(main));
                }
            }
        }
    }
    variants
        .into_iter()
        .map(|v| {
            let mut out = String::with_capacity(v.len());
            for c in v.chars() {
                if !(c == '<' && (out.is_empty() || out.ends_with('<'))) {
                    out.push(c);
                }
            }
            out.trim_end_matches('<').to_owned()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterates_per_icao_with_alternatives() {
        assert_eq!(mrz_spellings("Müller"), ["MUELLER", "MULLER"]);
        assert_eq!(mrz_spellings("Øster-Gaard"), ["OESTER<GAARD"]);
        assert_eq!(mrz_spellings("Strauß"), ["STRAUSS"]);
        assert_eq!(mrz_spellings("José María"), ["JOSE<MARIA"]);
        assert_eq!(mrz_spellings("O'Brien"), ["OBRIEN"]);
        assert_eq!(mrz_spellings("  van  der Berg "), ["VAN<DER<BERG"]);
        assert_eq!(mrz_spellings("Ärälä Öörö Üü").len(), MAX_VARIANTS);
    }
}
