//! What a document says besides its truth: title, account details, the table of charges or
//! transactions and the small print, all invented from the seed.

use chrono::{Datelike, Days, NaiveDate};

use crate::Truth;
use crate::people::Rng;

/// Issuer, issuer address and document title, one a line.
pub(crate) const UTILITIES: &str =
    "Northgate Energy|PO Box 4120, Wakefield WF1 9NE|Electricity bill
    Riverside Water|Riverside House, 2 Quay Street, Bristol BS1 6LT|Water bill
    Pennine Gas & Power|Unit 7, Calder Park, Halifax HX1 5ER|Gas bill
    Brightwire Broadband|PO Box 771, Swindon SN5 2WB|Broadband bill
    Lowland Energy|3 Harbour Road, Dundee DD1 4HN|Your energy bill";
pub(crate) const BANKS: &str =
    "Albion Bank|Albion House, 40 Moorgate, London EC2R 6EL|Your statement
    Harbour Building Society|Harbour Court, Marine Parade, Plymouth PL1 2TF|Account statement
    Thistle & Crown Bank|18 St Andrew Square, Edinburgh EH2 2AZ|Current account statement
    Meridian Savings Bank|PO Box 215, Chester CH1 3QT|Your statement";
const PAYEES: &str = "TESCO STORES,SALARY ACME LTD,DIRECT DEBIT NORTHGATE,CARD PAYMENT AMAZON,\
    COUNCIL TAX DD,TFL TRAVEL,TRANSFER FROM SAVINGS,SAINSBURYS,NETFLIX.COM,CASH WITHDRAWAL,\
    MOBILE PHONE DD,COSTA COFFEE";
const MONTHS: &str = "January February March April May June July August September October \
    November December";

/// The address and title of `name` in `list` (the first issuer's if it is not there).
fn issuer(list: &'static str, name: &str) -> (&'static str, &'static str) {
    let mut lines = list.lines().map(str::trim);
    let line = lines.find(|l| l.split('|').next() == Some(name));
    let mut fields = line
        .or(list.lines().next())
        .unwrap_or_default()
        .split('|')
        .skip(1);
    (
        fields.next().unwrap_or_default(),
        fields.next().unwrap_or_default(),
    )
}

fn month(d: NaiveDate) -> &'static str {
    MONTHS
        .split(' ')
        .nth(d.month0() as usize)
        .unwrap_or_default()
}

/// "3 March 2026" (0), "03/03/2026" (1) or "03 Mar 2026" (2).
pub(crate) fn date(d: NaiveDate, style: usize) -> String {
    match style {
        0 => format!("{} {} {}", d.day(), month(d), d.year()),
        1 => format!("{:02}/{:02}/{}", d.day(), d.month(), d.year()),
        _ => format!("{} {}", day_month(d), d.year()),
    }
}

/// "03 Mar".
fn day_month(d: NaiveDate) -> String {
    format!("{:02} {}", d.day(), &month(d)[..3])
}

/// Pence as "£1,234.56" (with a minus sign when negative).
pub(crate) fn money(pence: i64) -> String {
    let pounds = (pence.abs() / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in pounds.chars().enumerate() {
        if i > 0 && (pounds.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if pence < 0 { "-" } else { "" };
    format!("{sign}£{grouped}.{:02}", pence.abs() % 100)
}

pub(crate) struct Content {
    pub issuer_address: String,
    pub title: String,
    pub brand: [u8; 3],
    /// Label–value facts, the account number first.
    pub facts: Vec<(&'static str, String)>,
    pub header: &'static [&'static str],
    /// How many leading columns are text (the rest are right-aligned amounts).
    pub text_columns: usize,
    pub rows: Vec<Vec<String>>,
    pub total: (&'static str, String),
    pub footer: String,
}

pub(crate) fn content(truth: &Truth, rng: &mut Rng) -> Content {
    // A dark brand colour, so white text on it reads.
    let brand = [rng.range(0, 170), rng.range(20, 120), rng.range(40, 160)].map(|c| c as u8);
    let account: String = (0..8).map(|_| rng.range(0, 9).to_string()).collect();
    let d = truth.issue_date;
    let day = |back: u64| d.checked_sub_days(Days::new(back)).unwrap_or(d);
    let period = format!("{} to {}", day_month(day(30)), date(day(1), 2));
    let (list, kind) = match truth.document_type {
        "bank_statement" => (BANKS, "plc"),
        _ => (UTILITIES, "Ltd"),
    };
    let (address, title) = issuer(list, &truth.issuer);
    let company = rng.range(1_000_000, 9_999_999);
    let mut c = Content {
        issuer_address: address.into(),
        title: title.into(),
        brand,
        facts: vec![("Account number", account)],
        header: &["Charges this period", "Amount"],
        text_columns: 1,
        rows: Vec::new(),
        total: ("Total to pay", String::new()),
        footer: format!(
            "{} {kind}. Registered in England and Wales No. 0{company}. Registered office: \
             {address}.",
            truth.issuer
        ),
    };
    let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    match truth.document_type {
        "bank_statement" => {
            let sort: Vec<String> = (0..3).map(|_| rng.range(10, 99).to_string()).collect();
            let mut balance = rng.range(20_000, 400_000);
            c.facts.push(("Sort code", sort.join("-")));
            c.facts.push(("Statement period", period));
            c.facts.push(("Opening balance", money(balance)));
            for i in 0..rng.range(5, 8) as u64 {
                let payee = PAYEES.split(',').nth(rng.below(12)).unwrap_or_default();
                let paid_in = payee.starts_with("SALARY") || payee.starts_with("TRANSFER");
                let amount = match paid_in {
                    true => rng.range(40_000, 300_000),
                    false => -rng.range(250, 18_000),
                };
                balance += amount;
                let (out, paid) = (money(-amount), money(amount));
                let (out, paid) = if paid_in {
                    ("", paid.as_str())
                } else {
                    (out.as_str(), "")
                };
                let when = day_month(day(28 - i * 4));
                c.rows
                    .push(row(&[&when, payee, out, paid, &money(balance)]));
            }
            c.header = &["Date", "Description", "Paid out", "Paid in", "Balance"];
            c.text_columns = 2;
            c.total = ("Closing balance", money(balance));
        }
        "tax_document" => {
            let year = if d.month() >= 3 {
                d.year()
            } else {
                d.year() - 1
            };
            let area: String = truth
                .postal_code
                .chars()
                .take_while(char::is_ascii_alphabetic)
                .collect();
            c.issuer_address = format!("Civic Centre, {} {area}1 1UR", truth.city);
            c.title = format!("Council Tax bill {year}/{:02}", (year + 1) % 100);
            c.footer = format!(
                "{}, Revenues and Benefits. Pay online, by Direct Debit or by phone. Please tell \
                 us if you move home or if the number of adults living here changes.",
                truth.issuer
            );
            let band = ["A", "B", "C", "D", "E"][rng.below(5)];
            let annual = rng.range(120_000, 260_000);
            let (police, fire) = (annual * 13 / 100, annual * 6 / 100);
            let council = format!("{}, Band {band}", truth.issuer);
            c.rows
                .push(row(&[&council, &money(annual - police - fire)]));
            c.rows
                .push(row(&["Police and Crime Commissioner", &money(police)]));
            c.rows
                .push(row(&["Fire and Rescue Authority", &money(fire)]));
            let discount = if rng.below(3) == 0 { annual / 4 } else { 0 };
            if discount > 0 {
                c.rows
                    .push(row(&["Single person discount (25%)", &money(-discount)]));
            }
            c.facts[0].0 = "Account reference";
            c.facts.push(("Property band", band.into()));
            let charging = format!("1 Apr {year} to 31 Mar {}", year + 1);
            c.facts.push(("Charging period", charging));
            let instalment = money((annual - discount) / 10);
            c.facts.push(("Instalments", format!("10 x {instalment}")));
            c.header = &["Description", "Amount"];
            c.total = ("Amount payable for the year", money(annual - discount));
        }
        _ => {
            // Unit, price in hundredths of a penny, VAT rate (water carries none).
            let (unit, price, vat) = match title.split(' ').next() {
                Some("Water") => ("m³", 21_500, 0),
                Some("Gas") => ("kWh", 612, 5),
                Some("Broadband") => ("", 0, 20),
                _ => ("kWh", 2450, 5),
            };
            let fixed = match unit {
                "" => (
                    "Broadband and phone, monthly charge",
                    rng.range(2_500, 4_500),
                ),
                _ => ("Standing charge, 30 days", 30 * rng.range(30, 60)),
            };
            c.rows.push(row(&[fixed.0, &money(fixed.1)]));
            let used = rng.range(120, 900) / if unit == "m³" { 40 } else { 1 };
            let usage = used * price / 100;
            if usage > 0 {
                let at = format!("{used} {unit} at {:.2}p per {unit}", price as f32 / 100.0);
                c.rows.push(row(&[&at, &money(usage)]));
            }
            let tax = (fixed.1 + usage) * vat / 100;
            if tax > 0 {
                c.rows.push(row(&[&format!("VAT at {vat}%"), &money(tax)]));
            }
            c.total.1 = money(fixed.1 + usage + tax);
            c.facts.push(("Billing period", period));
            let due = d.checked_add_days(Days::new(14)).unwrap_or(d);
            c.facts.push(("Payment due by", date(due, 2)));
        }
    }
    c
}
