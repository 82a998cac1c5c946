//! Companies House "Free Company Data Product" (BasicCompanyData CSV): one company per row,
//! columns read by their trimmed header names, mapped as `data/registries/README.md` §1 proposes.

use std::io::Read;

use clearance_core::lookups::{
    Company, Filing, IndustryCode, LookupAddress, RegistryRecord, company_id,
};

use super::common::{Columns, Row, Rows, clean, dmy_to_iso, is_iso_date, join_non_empty};
use super::countries::country_code;
use super::{ParseError, ParseReport};

/// The public page of a company (the file's `URI` is a linked-data id, not a page).
const PAGE: &str = "https://find-and-update.company-information.service.gov.uk/company/";

/// Reads a BasicCompanyData CSV; `data_date` (`YYYY-MM-DD`) is the date of the snapshot.
pub fn read(
    reader: impl Read,
    data_date: &str,
    emit: &mut dyn FnMut(RegistryRecord),
) -> Result<ParseReport, ParseError> {
    if !is_iso_date(data_date) {
        return Err(ParseError::Format(format!(
            "data date {data_date:?} is not YYYY-MM-DD"
        )));
    }
    let updated_at = format!("{data_date}T00:00:00.000Z");
    let mut rows = Rows::new(reader, true);
    let columns = rows.columns()?;
    if !(columns.has("CompanyName") && columns.has("CompanyNumber")) {
        return Err(ParseError::Format(
            "not a BasicCompanyData file: no CompanyName and CompanyNumber columns".into(),
        ));
    }
    let mut report = ParseReport::default();
    loop {
        match rows.next(&mut report)? {
            Row::End => break,
            Row::Refused => continue,
            Row::Read => {}
        }
        match company(&columns, &rows.record, &updated_at) {
            Ok(company) => {
                report.emitted += 1;
                emit(RegistryRecord::Company(Box::new(company)));
            }
            Err(why) => report.refuse(format!("line {}: {why}", rows.line())),
        }
    }
    Ok(report)
}

fn company(
    columns: &Columns,
    row: &csv::StringRecord,
    updated_at: &str,
) -> Result<Company, String> {
    let cell = |name: &str| columns.get(row, &[name]);
    let name = cell("CompanyName");
    let number = cell("CompanyNumber");
    if name.is_empty() || number.is_empty() {
        return Err("no company name or number".into());
    }
    let incorporation_country = incorporation_country(number, cell("CountryOfOrigin"));
    let incorporation_date = dmy_to_iso(cell("IncorporationDate"));
    let source_url = format!("{PAGE}{number}");
    Ok(Company {
        id: company_id(&incorporation_country, number),
        name: name.to_string(),
        registration_number: number.to_string(),
        incorporation_country,
        created_at: incorporation_date
            .as_ref()
            .map_or_else(|| updated_at.to_string(), |d| format!("{d}T00:00:00.000Z")),
        updated_at: updated_at.to_string(),
        incorporation_date,
        incorporation_type: incorporation_type(cell("CompanyCategory")).map(str::to_string),
        address: address(&cell),
        active: is_active(cell("CompanyStatus")) && cell("DissolutionDate").is_empty(),
        industry_codes: (1..=4)
            .filter_map(|i| industry_code(cell(&format!("SICCode.SicText_{i}"))))
            .collect(),
        filings: filings(&cell, &source_url),
        previous_names: (1..=10)
            .filter_map(|i| clean(cell(&format!("PreviousName_{i}.CompanyName"))))
            .collect(),
        source_url: Some(source_url),
        ..Company::default()
    })
}

/// `GB`, except overseas companies (`FC`, `SF`, `NF`), which are incorporated where
/// `CountryOfOrigin` says. When that name maps to no ISO code (`CHANNEL ISLANDS`), the company is
/// kept as `GB`, where it is registered, rather than refused: its register entry is still real.
fn incorporation_country(number: &str, origin: &str) -> String {
    let prefix = number.get(..2).unwrap_or("").to_ascii_uppercase();
    if matches!(prefix.as_str(), "FC" | "SF" | "NF")
        && let Some(code) = country_code(origin)
    {
        return code;
    }
    "GB".to_string()
}

/// The register's `CompanyCategory` as a client `incorporationType` (README table); the
/// published text may carry an explanation in brackets, which is ignored.
fn incorporation_type(category: &str) -> Option<&'static str> {
    let key = category
        .split(" (")
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    Some(match key.as_str() {
        "private limited company"
        | "pri/ltd by guar/nsc"
        | "pri/lbg/nsc"
        | "priv ltd sect. 30"
        | "community interest company" => "private_limited_company",
        "public limited company" | "old public company" => "public_limited_company",
        "limited partnership" | "limited liability partnership" => "limited_partnership",
        "scottish partnership" => "unlimited_partnership",
        "charitable incorporated organisation"
        | "scottish charitable incorporated organisation" => "charitable_incorporated_organisation",
        "royal charter company" => "chartered_company",
        "further education and sixth form college corps" => "statutory_company",
        "registered society" | "industrial and provident society" => "non_government_organisation",
        _ => return None,
    })
}

/// Both statuses the register API calls "active"; liquidation, administration, receivership and
/// arrangements are not.
fn is_active(status: &str) -> bool {
    let status = status.to_ascii_lowercase();
    status == "active" || status == "active - proposal to strike off"
}

fn address<'r>(cell: &dyn Fn(&str) -> &'r str) -> Option<LookupAddress> {
    let po_box = clean(cell("RegAddress.POBox")).map(|b| format!("PO BOX {b}"));
    let line = join_non_empty(
        &[
            cell("RegAddress.AddressLine1"),
            cell("RegAddress.AddressLine2"),
        ],
        ", ",
    )
    .or(po_box);
    let city = clean(cell("RegAddress.PostTown"));
    let state = clean(cell("RegAddress.County"));
    let postal_code = clean(cell("RegAddress.PostCode"));
    let country_name = cell("RegAddress.Country");
    if line.is_none() && city.is_none() && postal_code.is_none() && country_name.is_empty() {
        return None;
    }
    // Empty means the UK here (the register is British); a foreign name maps or stays unset.
    let country = if country_name.is_empty() {
        Some("GB".to_string())
    } else {
        country_code(country_name)
    };
    Some(LookupAddress {
        line,
        city,
        state,
        postal_code,
        country,
        ..LookupAddress::default()
    })
}

/// `NNNNN - description`: five digits are UK SIC 2007, four the older SIC 2003.
fn industry_code(text: &str) -> Option<IndustryCode> {
    if text.is_empty() || text.eq_ignore_ascii_case("None Supplied") {
        return None;
    }
    let (code, description) = text.split_once(" - ").unwrap_or((text, ""));
    let code = code.trim();
    let scheme = if code.len() == 4 {
        "UK SIC 2003"
    } else {
        "UK SIC 2007"
    };
    Some(IndustryCode {
        code: code.to_string(),
        description: description.trim().to_string(),
        scheme: scheme.to_string(),
    })
}

/// The only filings the file knows of: the last accounts, confirmation statement and annual
/// return made up.
fn filings<'r>(cell: &dyn Fn(&str) -> &'r str, source_url: &str) -> Vec<Filing> {
    let file_url = Some(format!("{source_url}/filing-history"));
    let mut filings = Vec::new();
    let mut push = |name: &str, kind: &str, date: &str, detail: Option<String>| {
        if let Some(date) = dmy_to_iso(date) {
            let mut description = format!("{name} made up to {date}");
            if let Some(detail) = detail {
                description.push_str(&format!(" ({detail})"));
            }
            filings.push(Filing {
                name: name.to_string(),
                description,
                kind: kind.to_string(),
                date,
                file_url: file_url.clone(),
            });
        }
    };
    push(
        "Accounts",
        "accounts",
        cell("Accounts.LastMadeUpDate"),
        clean(cell("Accounts.AccountCategory")),
    );
    push(
        "Confirmation statement",
        "confirmation_statement",
        cell("ConfStmtLastMadeUpDate"),
        None,
    );
    push(
        "Annual return",
        "annual_return",
        cell("Returns.LastMadeUpDate"),
        None,
    );
    filings
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/registries/companies_house/"
    );

    fn companies(bytes: &[u8], date: &str) -> (Vec<Company>, ParseReport) {
        let mut out = Vec::new();
        let report = read(bytes, date, &mut |r| {
            if let RegistryRecord::Company(c) = r {
                out.push(*c);
            }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        (out, report)
    }

    fn file(name: &str) -> Vec<u8> {
        std::fs::read(format!("{DIR}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn reads_the_2021_head_sample() {
        let (all, report) = companies(&file("basic_company_data_2021-01_head31.csv"), "2021-01-01");
        assert_eq!(
            (report.emitted, report.refused),
            (31, 0),
            "{:?}",
            report.reasons
        );
        let c = all
            .iter()
            .find(|c| c.registration_number == "08209948")
            .unwrap();
        assert_eq!(c.name, "! LTD");
        assert_eq!(c.id, company_id("GB", "08209948"));
        assert_eq!(c.incorporation_date.as_deref(), Some("2012-09-11"));
        assert_eq!(
            c.incorporation_type.as_deref(),
            Some("private_limited_company")
        );
        assert_eq!(c.created_at, "2012-09-11T00:00:00.000Z");
        assert_eq!(c.updated_at, "2021-01-01T00:00:00.000Z");
        assert!(c.active);
        let a = c.address.as_ref().unwrap();
        assert_eq!(
            a.line.as_deref(),
            Some("METROHOUSE 57 PEPPER ROAD, HUNSLET")
        );
        assert_eq!(
            (a.city.as_deref(), a.state.as_deref()),
            (Some("LEEDS"), Some("YORKSHIRE"))
        );
        assert_eq!(
            (a.postal_code.as_deref(), a.country.as_deref()),
            (Some("LS10 2RU"), Some("GB"))
        );
        assert_eq!(c.industry_codes[0].code, "99999");
        assert_eq!(c.industry_codes[0].description, "Dormant Company");
        assert_eq!(c.industry_codes[0].scheme, "UK SIC 2007");
        let kinds: Vec<&str> = c.filings.iter().map(|f| f.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["accounts", "confirmation_statement", "annual_return"]
        );
        assert_eq!(
            c.filings[0].description,
            "Accounts made up to 2019-09-30 (DORMANT)"
        );
        assert_eq!(c.filings[1].date, "2020-09-11");
        assert_eq!(
            c.filings[0].file_url.as_deref(),
            Some(
                "https://find-and-update.company-information.service.gov.uk/company/08209948/filing-history"
            )
        );
        // Overseas companies: CountryOfOrigin, or GB when it names no ISO country.
        let mongolia = all
            .iter()
            .find(|c| c.registration_number == "FC027187")
            .unwrap();
        assert_eq!(mongolia.incorporation_country, "MN");
        assert_eq!(mongolia.id, company_id("MN", "FC027187"));
        let channel = all
            .iter()
            .find(|c| c.registration_number == "FC031362")
            .unwrap();
        assert_eq!(channel.incorporation_country, "GB");
        assert_eq!(
            channel.address.as_ref().unwrap().country.as_deref(),
            Some("GG")
        );
    }

    #[test]
    fn reads_the_2020_random_sample() {
        let (all, report) = companies(
            &file("basic_company_data_2020-05-01_random_sample.csv"),
            "2020-05-01",
        );
        assert_eq!(
            (report.emitted, report.refused),
            (4537, 0),
            "{:?}",
            report.reasons
        );
        assert_eq!(all.iter().filter(|c| c.active).count(), 4234 + 195);
        assert_eq!(
            all.iter().filter(|c| !c.previous_names.is_empty()).count(),
            493
        );
        let sic_2003 = all
            .iter()
            .flat_map(|c| &c.industry_codes)
            .filter(|i| i.scheme == "UK SIC 2003");
        assert_eq!(sic_2003.count(), 20);
        let sic: usize = all.iter().map(|c| c.industry_codes.len()).sum();
        assert_eq!(sic, 5184 + 20);
        let overseas = all
            .iter()
            .filter(|c| c.incorporation_country != "GB")
            .count();
        assert_eq!(
            overseas, 18,
            "17 FC with a foreign origin and one NF (Ireland)"
        );
        let types = |t: Option<&str>| {
            all.iter()
                .filter(|c| c.incorporation_type.as_deref() == t)
                .count()
        };
        assert_eq!(types(Some("private_limited_company")), 4199 + 108 + 46 + 20);
        assert_eq!(types(Some("limited_partnership")), 56 + 43);
        assert_eq!(types(None), 18 + 5 + 1);
    }

    #[test]
    fn reads_the_2023_head_sample() {
        let (all, report) = companies(&file("basic_company_data_2023_head11.csv"), "2023-08-01");
        assert_eq!((report.emitted, report.refused), (11, 0));
        let c = all
            .iter()
            .find(|c| c.registration_number == "08209948")
            .unwrap();
        assert_eq!(
            c.address.as_ref().unwrap().city.as_deref(),
            Some("HARROGATE")
        );
        assert_eq!(
            all.iter().filter(|c| !c.active).count(),
            1,
            "one in liquidation"
        );
    }

    #[test]
    fn crlf_quoted_commas_short_rows_and_missing_names() {
        let csv = " CompanyName, CompanyNumber,CompanyStatus,IncorporationDate,SICCode.SicText_1\r\n\
            \"A, B AND C LTD\",\"00000001\",\"Liquidation\",\"\",\"None Supplied\"\r\n\
            \"\",\"00000002\",\"Active\",\"01/01/2000\",\"\"\r\n\
            \"SHORT LTD\"\r\n\
            \"OK LTD\",\" 00000003 \",\"Active\"\r\n";
        let (all, report) = companies(csv.as_bytes(), "2024-01-31");
        assert_eq!(report.emitted, 2);
        assert_eq!(report.refused, 2);
        assert!(
            report.reasons[0].starts_with("line 3:"),
            "{:?}",
            report.reasons
        );
        assert_eq!(all[0].name, "A, B AND C LTD");
        assert!(!all[0].active);
        assert!(all[0].industry_codes.is_empty());
        assert_eq!(all[0].created_at, "2024-01-31T00:00:00.000Z");
        assert_eq!(all[0].address, None);
        assert_eq!(all[1].registration_number, "00000003");
    }

    #[test]
    fn refuses_files_without_the_columns_and_bad_dates() {
        assert!(read(&b"a,b\n1,2\n"[..], "2024-01-01", &mut |_| {}).is_err());
        assert!(
            read(
                &b" CompanyName, CompanyNumber\n"[..],
                "01/01/2024",
                &mut |_| {}
            )
            .is_err()
        );
    }

    #[test]
    fn garbage_never_panics() {
        let header =
            b" CompanyName, CompanyNumber,IncorporationDate,SICCode.SicText_1,RegAddress.Country\n";
        for bytes in super::super::common::garbage(300) {
            let mut input = header.to_vec();
            input.extend_from_slice(&bytes);
            let _ = read(&input[..], "2024-01-01", &mut |_| {});
            let _ = read(&bytes[..], "2024-01-01", &mut |_| {});
        }
    }
}
