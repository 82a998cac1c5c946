//! Country codes: ISO 3166-1 alpha-3 and the ICAO 9303 additions (`D`, `GBD`,
//! `UNO`, `XXA`, the specimen state `UTO`, …), mapped to ISO alpha-2 where one exists.

/// What kind of code an MRZ country field held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodeKind {
    /// An ISO 3166-1 alpha-3 code.
    Iso3166,
    /// A code ICAO uses for a state instead of or besides ISO's (`D` for Germany,
    /// the British nationality codes `GBD`, `GBN`, `GBO`, `GBP`, `GBS`, `RKS` for Kosovo).
    IcaoState,
    /// An organisation issuing travel documents (`UNO`, `EUE`, `XPO`, …): no country.
    Organisation,
    /// Stateless person, refugee or unspecified nationality (`XXA`, `XXB`, `XXC`, `XXX`).
    Stateless,
    /// ICAO's fictional specimen state `UTO` (Utopia). Real documents never carry it.
    Specimen,
    /// Not a code known to ICAO 9303.
    Unknown,
}

/// A country code read from an MRZ.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CountryCode {
    /// The code as printed, fillers removed (`UTO`, `D`, `GBR`).
    pub code: String,
    /// The ISO 3166-1 alpha-2 code, where one exists (`D` → `DE`, `GBD` → `GB`,
    /// `RKS` → `XK`, the user-assigned code in general use for Kosovo).
    pub alpha2: Option<&'static str>,
    /// What kind of code it is.
    pub kind: CodeKind,
}

impl CountryCode {
    /// Classifies a 3-character MRZ field (fillers allowed, e.g. `D<<`).
    #[must_use]
    pub fn from_mrz(field: &str) -> CountryCode {
        let code = field.trim_end_matches('<').to_owned();
        let (alpha2, kind) = classify(&code);
        CountryCode { code, alpha2, kind }
    }

    /// Whether ICAO 9303 knows the code.
    #[must_use]
    pub fn is_known(&self) -> bool {
        self.kind != CodeKind::Unknown
    }
}

fn classify(code: &str) -> (Option<&'static str>, CodeKind) {
    if let Some(a2) = iso_alpha2(code) {
        return (Some(a2), CodeKind::Iso3166);
    }
    match code {
        "D" => (Some("DE"), CodeKind::IcaoState),
        "GBD" | "GBN" | "GBO" | "GBP" | "GBS" => (Some("GB"), CodeKind::IcaoState),
        "RKS" => (Some("XK"), CodeKind::IcaoState),
        "UNO" | "UNA" | "UNK" | "EUE" | "XOM" | "XPO" | "XCC" | "XCE" | "XEC" | "XES" | "XMP"
        | "XDC" | "XBA" | "XIM" | "XAU" => (None, CodeKind::Organisation),
        "XXA" | "XXB" | "XXC" | "XXX" => (None, CodeKind::Stateless),
        "UTO" => (None, CodeKind::Specimen),
        _ => (None, CodeKind::Unknown),
    }
}

/// The ISO 3166-1 alpha-2 code for an ISO alpha-3 code.
#[must_use]
pub fn iso_alpha2(alpha3: &str) -> Option<&'static str> {
    ISO_3166
        .iter()
        .find(|(a3, _)| *a3 == alpha3)
        .map(|&(_, a2)| a2)
}

/// Every ISO 3166-1 alpha-2 code, in alpha-3 order.
pub fn iso_alpha2_codes() -> impl Iterator<Item = &'static str> {
    ISO_3166.iter().map(|&(_, a2)| a2)
}

/// Whether `alpha2` is an ISO 3166-1 alpha-2 code (or `XK`, see [`CountryCode`]).
#[must_use]
pub fn is_alpha2(alpha2: &str) -> bool {
    alpha2 == "XK" || ISO_3166.iter().any(|&(_, a2)| a2 == alpha2)
}

/// ISO 3166-1: (alpha-3, alpha-2), sorted by alpha-3.
static ISO_3166: [(&str, &str); 249] = [
    ("ABW", "AW"),
    ("AFG", "AF"),
    ("AGO", "AO"),
    ("AIA", "AI"),
    ("ALA", "AX"),
    ("ALB", "AL"),
    ("AND", "AD"),
    ("ARE", "AE"),
    ("ARG", "AR"),
    ("ARM", "AM"),
    ("ASM", "AS"),
    ("ATA", "AQ"),
    ("ATF", "TF"),
    ("ATG", "AG"),
    ("AUS", "AU"),
    ("AUT", "AT"),
    ("AZE", "AZ"),
    ("BDI", "BI"),
    ("BEL", "BE"),
    ("BEN", "BJ"),
    ("BES", "BQ"),
    ("BFA", "BF"),
    ("BGD", "BD"),
    ("BGR", "BG"),
    ("BHR", "BH"),
    ("BHS", "BS"),
    ("BIH", "BA"),
    ("BLM", "BL"),
    ("BLR", "BY"),
    ("BLZ", "BZ"),
    ("BMU", "BM"),
    ("BOL", "BO"),
    ("BRA", "BR"),
    ("BRB", "BB"),
    ("BRN", "BN"),
    ("BTN", "BT"),
    ("BVT", "BV"),
    ("BWA", "BW"),
    ("CAF", "CF"),
    ("CAN", "CA"),
    ("CCK", "CC"),
    ("CHE", "CH"),
    ("CHL", "CL"),
    ("CHN", "CN"),
    ("CIV", "CI"),
    ("CMR", "CM"),
    ("COD", "CD"),
    ("COG", "CG"),
    ("COK", "CK"),
    ("COL", "CO"),
    ("COM", "KM"),
    ("CPV", "CV"),
    ("CRI", "CR"),
    ("CUB", "CU"),
    ("CUW", "CW"),
    ("CXR", "CX"),
    ("CYM", "KY"),
    ("CYP", "CY"),
    ("CZE", "CZ"),
    ("DEU", "DE"),
    ("DJI", "DJ"),
    ("DMA", "DM"),
    ("DNK", "DK"),
    ("DOM", "DO"),
    ("DZA", "DZ"),
    ("ECU", "EC"),
    ("EGY", "EG"),
    ("ERI", "ER"),
    ("ESH", "EH"),
    ("ESP", "ES"),
    ("EST", "EE"),
    ("ETH", "ET"),
    ("FIN", "FI"),
    ("FJI", "FJ"),
    ("FLK", "FK"),
    ("FRA", "FR"),
    ("FRO", "FO"),
    ("FSM", "FM"),
    ("GAB", "GA"),
    ("GBR", "GB"),
    ("GEO", "GE"),
    ("GGY", "GG"),
    ("GHA", "GH"),
    ("GIB", "GI"),
    ("GIN", "GN"),
    ("GLP", "GP"),
    ("GMB", "GM"),
    ("GNB", "GW"),
    ("GNQ", "GQ"),
    ("GRC", "GR"),
    ("GRD", "GD"),
    ("GRL", "GL"),
    ("GTM", "GT"),
    ("GUF", "GF"),
    ("GUM", "GU"),
    ("GUY", "GY"),
    ("HKG", "HK"),
    ("HMD", "HM"),
    ("HND", "HN"),
    ("HRV", "HR"),
    ("HTI", "HT"),
    ("HUN", "HU"),
    ("IDN", "ID"),
    ("IMN", "IM"),
    ("IND", "IN"),
    ("IOT", "IO"),
    ("IRL", "IE"),
    ("IRN", "IR"),
    ("IRQ", "IQ"),
    ("ISL", "IS"),
    ("ISR", "IL"),
    ("ITA", "IT"),
    ("JAM", "JM"),
    ("JEY", "JE"),
    ("JOR", "JO"),
    ("JPN", "JP"),
    ("KAZ", "KZ"),
    ("KEN", "KE"),
    ("KGZ", "KG"),
    ("KHM", "KH"),
    ("KIR", "KI"),
    ("KNA", "KN"),
    ("KOR", "KR"),
    ("KWT", "KW"),
    ("LAO", "LA"),
    ("LBN", "LB"),
    ("LBR", "LR"),
    ("LBY", "LY"),
    ("LCA", "LC"),
    ("LIE", "LI"),
    ("LKA", "LK"),
    ("LSO", "LS"),
    ("LTU", "LT"),
    ("LUX", "LU"),
    ("LVA", "LV"),
    ("MAC", "MO"),
    ("MAF", "MF"),
    ("MAR", "MA"),
    ("MCO", "MC"),
    ("MDA", "MD"),
    ("MDG", "MG"),
    ("MDV", "MV"),
    ("MEX", "MX"),
    ("MHL", "MH"),
    ("MKD", "MK"),
    ("MLI", "ML"),
    ("MLT", "MT"),
    ("MMR", "MM"),
    ("MNE", "ME"),
    ("MNG", "MN"),
    ("MNP", "MP"),
    ("MOZ", "MZ"),
    ("MRT", "MR"),
    ("MSR", "MS"),
    ("MTQ", "MQ"),
    ("MUS", "MU"),
    ("MWI", "MW"),
    ("MYS", "MY"),
    ("MYT", "YT"),
    ("NAM", "NA"),
    ("NCL", "NC"),
    ("NER", "NE"),
    ("NFK", "NF"),
    ("NGA", "NG"),
    ("NIC", "NI"),
    ("NIU", "NU"),
    ("NLD", "NL"),
    ("NOR", "NO"),
    ("NPL", "NP"),
    ("NRU", "NR"),
    ("NZL", "NZ"),
    ("OMN", "OM"),
    ("PAK", "PK"),
    ("PAN", "PA"),
    ("PCN", "PN"),
    ("PER", "PE"),
    ("PHL", "PH"),
    ("PLW", "PW"),
    ("PNG", "PG"),
    ("POL", "PL"),
    ("PRI", "PR"),
    ("PRK", "KP"),
    ("PRT", "PT"),
    ("PRY", "PY"),
    ("PSE", "PS"),
    ("PYF", "PF"),
    ("QAT", "QA"),
    ("REU", "RE"),
    ("ROU", "RO"),
    ("RUS", "RU"),
    ("RWA", "RW"),
    ("SAU", "SA"),
    ("SDN", "SD"),
    ("SEN", "SN"),
    ("SGP", "SG"),
    ("SGS", "GS"),
    ("SHN", "SH"),
    ("SJM", "SJ"),
    ("SLB", "SB"),
    ("SLE", "SL"),
    ("SLV", "SV"),
    ("SMR", "SM"),
    ("SOM", "SO"),
    ("SPM", "PM"),
    ("SRB", "RS"),
    ("SSD", "SS"),
    ("STP", "ST"),
    ("SUR", "SR"),
    ("SVK", "SK"),
    ("SVN", "SI"),
    ("SWE", "SE"),
    ("SWZ", "SZ"),
    ("SXM", "SX"),
    ("SYC", "SC"),
    ("SYR", "SY"),
    ("TCA", "TC"),
    ("TCD", "TD"),
    ("TGO", "TG"),
    ("THA", "TH"),
    ("TJK", "TJ"),
    ("TKL", "TK"),
    ("TKM", "TM"),
    ("TLS", "TL"),
    ("TON", "TO"),
    ("TTO", "TT"),
    ("TUN", "TN"),
    ("TUR", "TR"),
    ("TUV", "TV"),
    ("TWN", "TW"),
    ("TZA", "TZ"),
    ("UGA", "UG"),
    ("UKR", "UA"),
    ("UMI", "UM"),
    ("URY", "UY"),
    ("USA", "US"),
    ("UZB", "UZ"),
    ("VAT", "VA"),
    ("VCT", "VC"),
    ("VEN", "VE"),
    ("VGB", "VG"),
    ("VIR", "VI"),
    ("VNM", "VN"),
    ("VUT", "VU"),
    ("WLF", "WF"),
    ("WSM", "WS"),
    ("YEM", "YE"),
    ("ZAF", "ZA"),
    ("ZMB", "ZM"),
    ("ZWE", "ZW"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn iso_table_is_sorted_and_unique() {
        assert!(ISO_3166.windows(2).all(|w| w[0].0 < w[1].0));
        let a2: HashSet<_> = ISO_3166.iter().map(|(_, a2)| a2).collect();
        assert_eq!(a2.len(), ISO_3166.len());
        assert!(
            ISO_3166
                .iter()
                .all(|(a3, a2)| a3.len() == 3 && a2.len() == 2)
        );
    }

    #[test]
    fn icao_codes_map_to_alpha2() {
        let cases = [
            ("GBR", Some("GB"), CodeKind::Iso3166),
            ("D<<", Some("DE"), CodeKind::IcaoState),
            ("GBD", Some("GB"), CodeKind::IcaoState),
            ("UTO", None, CodeKind::Specimen),
            ("XXA", None, CodeKind::Stateless),
            ("UNO", None, CodeKind::Organisation),
            ("QQQ", None, CodeKind::Unknown),
            ("FRA", Some("FR"), CodeKind::Iso3166),
        ];
        for (field, a2, kind) in cases {
            let c = CountryCode::from_mrz(field);
            assert_eq!((c.alpha2, c.kind), (a2, kind), "{field}");
        }
        assert_eq!(CountryCode::from_mrz("D<<").code, "D");
    }
}
