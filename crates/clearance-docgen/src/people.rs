//! Invented holders, addresses and issuers, and the deterministic generator that picks them.

use chrono::{Days, NaiveDate};

use crate::content::{BANKS, UTILITIES};
use crate::{GenError, Truth};

/// A 64-bit linear congruential generator (Knuth's MMIX constants) with an output mix.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        let mut rng = Rng(seed ^ 0x9E37_79B9_7F4A_7C15);
        rng.next();
        rng
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let x = self.0;
        (x ^ (x >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (x >> 32)
    }

    /// Uniform in `0..n` (`n` ≥ 1).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// Single spaces only: indexed by position.
const FIRST: &str = "John Sarah David Emma James Olivia Michael Sophie Daniel Laura Thomas Hannah \
    Robert Chloe William Grace Peter Amelia Mark Jessica Richard Rachel Andrew Lucy Paul Emily Steven \
    Charlotte Matthew Megan Christopher Ella George Priya Mohammed Aisha Connor Niamh Oliver Zoe";
const LAST: &str = "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson \
    Evans Walker White Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis Harris Martin Cooper \
    Hughes Edwards Turner Hill Moore Ward Morgan Baker Campbell O'Brien Murphy Fletcher Ahmed Kowalski";
const STREETS: &str = "Willow Station Church Park Victoria Albert Mill Manor Queens Kings Oak Elm \
    Beech Chestnut Meadow Orchard Grange Highfield Springfield Ashgrove Hawthorn Cedar Rosebery \
    Belmont Clarendon Windsor Stanley Grosvenor Fairfield Brook Heather Moorland Primrose Sycamore \
    Lime Thornton Westfield Holly Marlborough Cromwell";
const SUFFIXES: &str = "Road Street Avenue Lane Close Drive";
/// Town, postcode area and highest district number.
const CITIES: &str = "Leeds LS 29, Manchester M 40, Birmingham B 48, Bristol BS 16, Sheffield S 36, \
    Liverpool L 38, Nottingham NG 25, Leicester LE 19, York YO 32, Cardiff CF 24, Edinburgh EH 17, \
    Glasgow G 46, Norwich NR 35, Exeter EX 39, Oxford OX 18, Cambridge CB 25, Brighton BN 45, \
    Southampton SO 19, Reading RG 10, Derby DE 24";
/// Letters used in the last two places of a postcode.
const INWARD: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

/// A random holder, address, issuer and date of issue within the last 80 days of `today`.
pub(crate) fn truth(rng: &mut Rng, today: NaiveDate) -> Result<Truth, GenError> {
    // The first names alternate male and female.
    let index = rng.below(FIRST.split(' ').count());
    let first = FIRST.split(' ').nth(index).unwrap_or("Sam");
    let last = word(rng, LAST, ' ');
    let titles = if index.is_multiple_of(2) {
        "Mr Mr Dr -"
    } else {
        "Ms Mrs Miss Dr -"
    };
    let title = word(rng, titles, ' ').trim_matches('-');
    let holder = if rng.below(5) == 0 {
        format!("{first} {last}").to_uppercase()
    } else if title.is_empty() {
        format!("{first} {last}")
    } else {
        format!("{title} {first} {last}")
    };
    let mut town = word(rng, CITIES, ',').split(' ');
    let (city, area) = (town.next().unwrap_or("Leeds"), town.next().unwrap_or("LS"));
    let districts: i64 = town.next().and_then(|n| n.parse().ok()).unwrap_or(9);
    let inward = |rng: &mut Rng| INWARD[rng.below(INWARD.len())] as char;
    let postal_code = format!(
        "{area}{} {}{}{}",
        rng.range(1, districts),
        rng.range(1, 9),
        inward(rng),
        inward(rng)
    );
    let (document_type, issuer) = match rng.below(3) {
        0 => ("utility_bill", word(rng, UTILITIES, '\n').split('|').next()),
        1 => ("bank_statement", word(rng, BANKS, '\n').split('|').next()),
        _ => ("tax_document", None),
    };
    let issuer = issuer.map_or_else(|| format!("{city} City Council"), str::to_string);
    let back = rng.range(0, 80) as u64;
    let issue_date = today
        .checked_sub_days(Days::new(back))
        .ok_or_else(|| GenError(format!("no date {back} days before {today}")))?;
    Ok(Truth {
        document_type,
        issuer,
        holder,
        first_name: first.to_string(),
        last_name: last.to_string(),
        property_number: rng.range(1, 250).to_string(),
        street: format!("{} {}", word(rng, STREETS, ' '), word(rng, SUFFIXES, ' ')),
        city: city.to_string(),
        postal_code,
        issue_date,
    })
}

/// One item of a `sep`-separated list, trimmed.
fn word(rng: &mut Rng, list: &'static str, sep: char) -> &'static str {
    let items = || list.split(sep).map(str::trim).filter(|w| !w.is_empty());
    items().nth(rng.below(items().count())).unwrap_or_default()
}
