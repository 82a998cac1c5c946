//! The test-mode (sandbox) simulator: the `result` a completed check of each type carries, driven
//! by the documented sandbox triggers (checks-and-more.md §7) and deterministic for a given check.
//!
//! Results are shaped key for key like the documented examples of checks-and-more.md §2; nothing
//! marks them as simulated. Whatever a real engine would measure (scores, document numbers and
//! dates, match ids) is derived from the check id with SHA-256, and "today" (for ages and issue
//! dates) is the creation time encoded in the check id's first 12 hex digits (`ids.rs`), so the
//! same check always yields the same result.

use chrono::{Datelike, Months, NaiveDate, TimeZone, Utc};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::CheckType;
use crate::country;

/// What the documented sandbox triggers ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// The default: outcome `clear`, every analysis `clear`.
    Clear,
    /// Client last name `attention`: outcome `attention`, the type's natural analysis flagged.
    Attention,
    /// Client last name `failed`: a *completed* check with outcome `not_processed` and every
    /// analysis `not_processed` (not a check with `status: failed`).
    NotProcessed,
}

/// Reads the trigger from a client body. Persons: `personDetails.lastName` `attention` →
/// [`Trigger::Attention`], `failed` → [`Trigger::NotProcessed`] (case-insensitive, trimmed).
/// Companies have no last name and the documentation names no company trigger, so for them the
/// same two words are read from `companyDetails.name`. Anything else is [`Trigger::Clear`].
pub fn trigger_for(client: &Map<String, Value>) -> Trigger {
    let word = if client.get("type").and_then(Value::as_str) == Some("company") {
        text(client, &["companyDetails", "name"])
    } else {
        text(client, &["personDetails", "lastName"])
    };
    match word.map(|w| w.trim().to_lowercase()).as_deref() {
        Some("attention") => Trigger::Attention,
        Some("failed") => Trigger::NotProcessed,
        _ => Trigger::Clear,
    }
}

/// The full `result` object (`{outcome, breakdown}`) a completed check of this type would carry.
///
/// Options are honoured where they decide coverage: `screeningClassification` (screening),
/// `analysisCoverage` and `clientDataValidation` (document), `enableEnrolledFaces` (identity);
/// analyses a check does not cover are `not_processed`. With [`Trigger::Attention`] the flagged
/// analyses are: `pep.level1` and `watchlist.sanctionsLists` for screening (companies: only the
/// latter), each with one match; `forensicAnalysis.imageTampering` (document);
/// `faceAnalysis.facialSimilarity` (both identity types); `clientValidation.address` (proof of
/// address); `address` (multi-bureau); `faceAuthentication.facialSimilarity`;
/// `ageEstimationAnalysis.ageValidation` (age below 18). When the options exclude the flagged
/// analysis, the first covered one is flagged instead; when they exclude all, the outcome is
/// `clear`.
pub fn simulate(
    check_type: CheckType,
    check_id: &str,
    check: &Map<String, Value>,
    client: &Map<String, Value>,
    trigger: Trigger,
) -> Value {
    let sim = Sim {
        id: check_id,
        check,
        options: check.get("options").and_then(Value::as_object),
        holder: Holder::of(client),
        today: created_on(check_id),
        trigger,
    };
    let (outcome, breakdown) = match check_type {
        CheckType::StandardScreening => sim.screening(false),
        CheckType::ExtensiveScreening => sim.screening(true),
        CheckType::Document => sim.document(),
        CheckType::Identity => sim.identity(),
        CheckType::EnhancedIdentity => sim.enhanced_identity(),
        CheckType::ProofOfAddress => sim.proof_of_address(),
        CheckType::MultiBureau => sim.multi_bureau(),
        CheckType::FaceAuthentication => sim.face_authentication(),
        CheckType::AgeEstimation => sim.age_estimation(),
    };
    json!({ "outcome": outcome, "breakdown": breakdown })
}

/// The summary keys of a screening result (checks-and-more.md §2.3).
const SCREENING: &str = "pep.level1 pep.level2 pep.level3 pep.level4 \
    watchlist.sanctionsLists watchlist.otherOfficialLists watchlist.warCrimes watchlist.terror \
    watchlist.otherExclusionLists watchlist.sanctionsControlAndOwnership \
    adverseMedia.environmentProduction adverseMedia.socialLabour \
    adverseMedia.competitiveFinancial adverseMedia.regulatory \
    otherLists.associatedEntity otherLists.organisedCrime otherLists.financialCrime \
    otherLists.taxCrime otherLists.corruption otherLists.trafficking";

/// One per-analysis value of a breakdown (`group.key`) and whether the check covers it.
struct Analysis {
    path: &'static str,
    covered: bool,
}

/// The analyses named in `spec` (space-separated `group.key` paths), all covered or not.
fn analyses(spec: &'static str, covered: bool) -> Vec<Analysis> {
    spec.split_whitespace()
        .map(|path| Analysis { path, covered })
        .collect()
}

/// Per-analysis values grouped by analysis object, the outcome, and which analyses were flagged.
struct Graded {
    outcome: &'static str,
    groups: Map<String, Value>,
    flagged: Vec<&'static str>,
}

/// Grades the analyses for the trigger; with [`Trigger::Attention`] it flags the `preferred`
/// paths that are covered, or else the first covered analysis.
fn grade(trigger: Trigger, list: &[Analysis], preferred: &[&'static str]) -> Graded {
    let covered = |path: &str| list.iter().any(|a| a.path == path && a.covered);
    let mut flagged: Vec<&'static str> = Vec::new();
    if trigger == Trigger::Attention {
        flagged = preferred.iter().copied().filter(|p| covered(p)).collect();
        if flagged.is_empty() {
            flagged.extend(list.iter().find(|a| a.covered).map(|a| a.path));
        }
    }
    let mut groups = Map::new();
    for a in list {
        let value = if trigger == Trigger::NotProcessed || !a.covered {
            "not_processed"
        } else if flagged.contains(&a.path) {
            "attention"
        } else {
            "clear"
        };
        let (group, key) = a.path.split_once('.').unwrap_or((a.path, ""));
        put(&mut groups, group, key, value.into());
    }
    let outcome = match (trigger, flagged.is_empty()) {
        (Trigger::NotProcessed, _) => "not_processed",
        (_, false) => "attention",
        _ => "clear",
    };
    Graded {
        outcome,
        groups,
        flagged,
    }
}

/// Puts `value` at `group.key` of a breakdown, creating the group object if needed.
fn put(groups: &mut Map<String, Value>, group: &str, key: &str, value: Value) {
    if let Value::Object(g) = groups
        .entry(group)
        .or_insert_with(|| Value::Object(Map::new()))
    {
        g.insert(key.into(), value);
    }
}

/// The client facts results are built from.
struct Holder<'a> {
    company: bool,
    first: &'a str,
    last: &'a str,
    entity_name: String,
    dob: Option<NaiveDate>,
    gender: Option<&'a str>,
    nationality: Option<&'a str>,
    birth_country: Option<&'a str>,
    incorporation_country: Option<&'a str>,
}

impl<'a> Holder<'a> {
    fn of(client: &'a Map<String, Value>) -> Self {
        let company = client.get("type").and_then(Value::as_str) == Some("company");
        let person = |key: &str| text(client, &["personDetails", key]);
        let (first, last) = if company {
            ("", text(client, &["companyDetails", "name"]).unwrap_or(""))
        } else {
            (
                person("firstName").unwrap_or(""),
                person("lastName").unwrap_or(""),
            )
        };
        let entity_name = text(client, &["entityName"]).map_or_else(
            || [first, last].join(" ").trim().to_string(),
            str::to_string,
        );
        Holder {
            company,
            first,
            last,
            entity_name,
            dob: person("dob").and_then(crate::time::parse_date),
            gender: person("gender"),
            nationality: person("nationality"),
            birth_country: person("birthCountry"),
            incorporation_country: text(client, &["companyDetails", "incorporationCountry"]),
        }
    }

    /// The country a document or bill of this client would come from.
    fn home_country(&self) -> &'a str {
        self.nationality
            .or(self.birth_country)
            .or(self.incorporation_country)
            .unwrap_or("GB")
    }
}

struct Sim<'a> {
    id: &'a str,
    check: &'a Map<String, Value>,
    options: Option<&'a Map<String, Value>>,
    holder: Holder<'a>,
    today: NaiveDate,
    trigger: Trigger,
}

impl Sim<'_> {
    /// A number in `lo..=hi` derived from the check id and `label`.
    fn pick(&self, label: &str, lo: u32, hi: u32) -> u32 {
        let d = Sha256::digest(format!("{}:{label}", self.id));
        lo + u32::from_be_bytes([d[0], d[1], d[2], d[3]]) % (hi - lo + 1)
    }

    /// A score for a measurement: high when clear, low when flagged, 0 when not processed.
    fn score(&self, label: &str, flagged: bool) -> u32 {
        match self.trigger {
            Trigger::NotProcessed => 0,
            _ if flagged => self.pick(label, 20, 45),
            _ => self.pick(label, 85, 99),
        }
    }

    fn option_list(&self, key: &str) -> Option<Vec<&str>> {
        let list = self.options?.get(key)?.as_array()?;
        (!list.is_empty()).then(|| list.iter().filter_map(Value::as_str).collect())
    }

    fn option_bool(&self, key: &str) -> Option<bool> {
        self.options?.get(key)?.as_bool()
    }

    fn screening(&self, extensive: bool) -> (&'static str, Value) {
        let selected = self.option_list("screeningClassification");
        let mut list = Vec::new();
        for path in SCREENING.split_whitespace() {
            let in_scope = extensive
                || path.starts_with("pep.")
                || (path.starts_with("watchlist.") && path != "watchlist.otherExclusionLists");
            let chosen = selected
                .as_ref()
                .is_none_or(|s| s.contains(&classification(path).as_str()));
            list.extend(analyses(path, in_scope && chosen));
        }
        let preferred: &[_] = if self.holder.company {
            &["watchlist.sanctionsLists"]
        } else {
            &["pep.level1", "watchlist.sanctionsLists"]
        };
        let graded = grade(self.trigger, &list, preferred);
        let matches: Vec<Value> = graded
            .flagged
            .iter()
            .enumerate()
            .map(|(i, path)| self.screening_match(i + 1, path))
            .collect();
        let breakdown = json!({ "summary": graded.groups, "matches": matches });
        (graded.outcome, breakdown)
    }

    /// A fictional list entry that "is" the client, found on a sandbox list of the flagged
    /// summary key `path`.
    fn screening_match(&self, n: usize, path: &str) -> Value {
        let h = &self.holder;
        let digest = hex::encode(Sha256::digest(format!("{}:{n}", self.id)));
        let mut name = Map::new();
        name.insert("type".into(), "primary".into());
        if h.company {
            name.insert("companyName".into(), h.last.into());
        } else {
            // No middle name: it carries the sandbox risk triggers (see `identity_document`).
            name.insert("firstName".into(), h.first.into());
            name.insert("lastName".into(), h.last.into());
        }
        let mut countries = Vec::new();
        let typed = [
            ("Citizenship", h.nationality),
            ("Country of Birth", h.birth_country),
            ("Jurisdiction", h.incorporation_country),
        ];
        for (kind, country) in typed {
            if let Some(c) = country {
                countries.push(json!({ "type": kind, "country": c }));
            }
        }
        let dates: Vec<Value> = h
            .dob
            .map(|d| json!({ "type": "Date of Birth", "date": date(d) }))
            .into_iter()
            .collect();
        let list = match path.split_once('.').map_or(path, |(group, _)| group) {
            _ if path == "watchlist.sanctionsLists" => "Clearance Sandbox Sanctions List",
            "pep" => "Clearance Sandbox PEP List",
            "watchlist" => "Clearance Sandbox Watchlist",
            "adverseMedia" => "Clearance Sandbox Adverse Media",
            _ => "Clearance Sandbox Other Lists",
        };
        let mut m = Map::new();
        m.insert("id".into(), digest[..24].into());
        m.insert(
            "entityType".into(),
            if h.company { "company" } else { "person" }.into(),
        );
        m.insert(
            "score".into(),
            self.pick(&format!("score:{n}"), 91, 99).into(),
        );
        m.insert("names".into(), json!([name]));
        if let Some(gender) = h.gender.filter(|_| !h.company) {
            m.insert("gender".into(), gender.into());
        }
        m.insert("active".into(), true.into());
        m.insert("deceased".into(), false.into());
        m.insert("countries".into(), countries.into());
        m.insert("dates".into(), dates.into());
        m.insert("images".into(), json!([]));
        m.insert(
            "sources".into(),
            json!([{ "list": list, "classification": classification(path) }]),
        );
        Value::Object(m)
    }

    fn document(&self) -> (&'static str, Value) {
        let coverage = self.option_list("analysisCoverage");
        let covers = |name: &str| coverage.as_ref().is_none_or(|c| c.contains(&name));
        let groups = [
            (
                "mrzAnalysis.mrzFormat mrzAnalysis.mrzChecksum",
                "mrz_analysis",
            ),
            (
                "consistencyAnalysis.firstName consistencyAnalysis.lastName consistencyAnalysis.dob",
                "consistency_analysis",
            ),
            (
                "contentAnalysis.dataIntegrity contentAnalysis.minimumAcceptedAge",
                "content_analysis",
            ),
            ("formatAnalysis.modelIdentification", "format_analysis"),
            ("forensicAnalysis.imageTampering", "forensic_analysis"),
            (
                "frontAndBackAnalysis.frontAndBackMatch",
                "front_back_analysis",
            ),
        ];
        let mut list = Vec::new();
        for (spec, option) in groups {
            list.extend(analyses(spec, covers(option)));
        }
        if self.option_bool("clientDataValidation") == Some(true) {
            list.extend(analyses(
                "clientValidation.firstName clientValidation.lastName",
                true,
            ));
        }
        let graded = grade(self.trigger, &list, &["forensicAnalysis.imageTampering"]);
        let mut breakdown = Map::new();
        breakdown.insert("extractedData".into(), self.identity_document());
        breakdown.extend(graded.groups);
        breakdown.insert("extractedImages".into(), json!([]));
        (graded.outcome, Value::Object(breakdown))
    }

    /// `extractedData` of a two-sided national identity card (TD1, three MRZ lines) issued to the
    /// client by their home country. Given names are the first name only: middle names carry the
    /// sandbox risk triggers and must not leak into extracted names.
    fn identity_document(&self) -> Value {
        let h = &self.holder;
        let issuer = h.home_country();
        let nationality = h.nationality.unwrap_or(issuer);
        let issued = ymd(
            self.today.year() - self.pick("issued-year", 1, 4) as i32,
            self.pick("issued-month", 1, 12),
            self.pick("issued-day", 1, 28),
        );
        let expires = issued + Months::new(120);
        let dob = h.dob.unwrap_or_else(|| ymd(self.today.year() - 30, 1, 1));
        let number = format!("{:09}", self.pick("number", 0, 999_999_999));
        let gender = h.gender.unwrap_or("other");
        let sex = match gender {
            "male" => 'M',
            "female" => 'F',
            _ => '<',
        };
        let words =
            |s: &str| -> Vec<String> { s.split_whitespace().map(str::to_uppercase).collect() };
        let line1 = format!("ID{}{number}{}", alpha3(issuer), check_digit(&number));
        let line1 = pad(&line1, 30);
        let mut line2 = format!("{}{}", yymmdd(dob), check_digit(&yymmdd(dob)));
        line2.push(sex);
        line2 += &format!("{}{}", yymmdd(expires), check_digit(&yymmdd(expires)));
        line2 += &pad(alpha3(nationality), 14);
        let composite = format!(
            "{}{}{}{}",
            &line1[5..30],
            &line2[0..7],
            &line2[8..15],
            &line2[18..29]
        );
        line2.push(check_digit(&composite));
        let line3 = pad(&format!("{}<<{}", mrz_text(h.last), mrz_text(h.first)), 30);
        json!({
            "documentDetails": {
                "documentType": "national_id",
                "hasTwoSides": true,
                "issuingCountry": issuer,
                "documentNumber": number,
                "issuingDate": date(issued),
                "expirationDate": date(expires),
            },
            "mrzDetails": { "line1": line1, "line2": line2, "line3": line3 },
            "holderDetails": {
                "firstName": words(h.first),
                "lastName": words(h.last),
                "dob": date(dob),
                "nationality": nationality,
                "gender": gender,
            },
        })
    }

    fn identity(&self) -> (&'static str, Value) {
        let enrolled = self.option_bool("enableEnrolledFaces") != Some(false);
        let mut list = analyses(
            "faceAnalysis.faceDetection faceAnalysis.facialSimilarity",
            true,
        );
        list.extend(analyses("faceAnalysis.previouslyEnrolledFace", enrolled));
        list.extend(analyses(
            "authenticityAnalysis.spoofedImageAnalysis authenticityAnalysis.livenessCheck \
             integrityAnalysis.faceDetection",
            true,
        ));
        self.face_match(&list)
    }

    fn enhanced_identity(&self) -> (&'static str, Value) {
        let list = analyses(
            "faceAnalysis.facialSimilarity faceAnalysis.previouslyEnrolledFace \
             livenessAnalysis.videoChallenges livenessAnalysis.spoofedVideoAnalysis",
            true,
        );
        self.face_match(&list)
    }

    /// Identity-type results: `faceAnalysis.facialSimilarity` flagged, with the similarity score.
    fn face_match(&self, list: &[Analysis]) -> (&'static str, Value) {
        let graded = grade(self.trigger, list, &["faceAnalysis.facialSimilarity"]);
        let mut groups = graded.groups;
        let flagged = !graded.flagged.is_empty();
        let score = self.score("facialSimilarityScore", flagged);
        put(
            &mut groups,
            "faceAnalysis",
            "breakdown",
            json!({ "facialSimilarityScore": score }),
        );
        (graded.outcome, Value::Object(groups))
    }

    fn proof_of_address(&self) -> (&'static str, Value) {
        let list = analyses(
            "clientValidation.entityName clientValidation.address contentAnalysis.issuingDate \
             geolocationAnalysis.address",
            true,
        );
        let graded = grade(self.trigger, &list, &["clientValidation.address"]);
        let country = self.holder.home_country();
        let number = self.pick("propertyNumber", 1, 99).to_string();
        let issued = self.today - chrono::Days::new(self.pick("issued", 5, 60).into());
        let extracted = json!({
            "documentDetails": {
                "documentType": "utility_bill",
                "issuer": "Clearance Sandbox Energy",
                "issuingDate": date(issued),
            },
            "holderDetails": { "entityName": self.holder.entity_name },
            "addressDetails": {
                "addressLine": format!("{number} Sandbox Street, Testville, 00000"),
                "addressCountry": country,
                "address": {
                    "propertyNumber": number,
                    "line": "Sandbox Street",
                    "city": "Testville",
                    "postalCode": "00000",
                    "country": country,
                    "latLong": { "lat": 0.0, "long": 0.0 },
                },
            },
        });
        let mut breakdown = Map::new();
        breakdown.insert("extractedData".into(), extracted);
        breakdown.extend(graded.groups);
        (graded.outcome, Value::Object(breakdown))
    }

    fn multi_bureau(&self) -> (&'static str, Value) {
        let list = analyses("name.result dob.result address.result", true);
        let graded = grade(self.trigger, &list, &["address.result"]);
        let mut groups = graded.groups;
        for attribute in ["name", "dob", "address"] {
            let sources = match self.trigger {
                Trigger::NotProcessed => 0,
                _ if graded
                    .flagged
                    .contains(&format!("{attribute}.result").as_str()) =>
                {
                    0
                }
                _ => 2,
            };
            put(
                &mut groups,
                attribute,
                "breakdown",
                json!({ "sources": sources }),
            );
        }
        (graded.outcome, Value::Object(groups))
    }

    fn face_authentication(&self) -> (&'static str, Value) {
        let list = analyses("faceAuthentication.facialSimilarity", true);
        let graded = grade(
            self.trigger,
            &list,
            &["faceAuthentication.facialSimilarity"],
        );
        let photo = self.check.get("livePhotoId").and_then(Value::as_str);
        let mut details = Map::new();
        if graded.outcome == "clear"
            && let Some(photo) = photo
        {
            let score = self.pick("facesMatched", 90, 100);
            details.insert(
                "facesMatched".into(),
                json!([{ "livePhotoId": photo, "facialSimilarityScore": score }]),
            );
        }
        let enrolled: Vec<&str> = photo.into_iter().collect();
        details.insert("enrolledFaces".into(), json!({ "livePhotoIds": enrolled }));
        let mut groups = graded.groups;
        put(
            &mut groups,
            "faceAuthentication",
            "breakdown",
            Value::Object(details),
        );
        (graded.outcome, Value::Object(groups))
    }

    fn age_estimation(&self) -> (&'static str, Value) {
        let list = analyses(
            "ageEstimationAnalysis.ageValidation authenticityAnalysis.spoofedImageAnalysis",
            true,
        );
        let graded = grade(
            self.trigger,
            &list,
            &["ageEstimationAnalysis.ageValidation"],
        );
        let age = self
            .holder
            .dob
            .map_or(30, |dob| years_between(dob, self.today));
        let age = match self.trigger {
            Trigger::NotProcessed => 0,
            _ if graded.flagged.is_empty() => age.max(18),
            _ => age.min(16),
        };
        let (min, max) = if age == 0 {
            (0, 0)
        } else {
            ((age - 4).max(0), age + 4)
        };
        let liveness = match self.trigger {
            Trigger::NotProcessed => 0,
            _ => self.pick("livenessScore", 90, 99),
        };
        let mut groups = graded.groups;
        put(
            &mut groups,
            "ageEstimationAnalysis",
            "breakdown",
            json!({ "age": age, "ageMin": min, "ageMax": max }),
        );
        put(
            &mut groups,
            "authenticityAnalysis",
            "breakdown",
            json!({ "livenessScore": liveness }),
        );
        (graded.outcome, Value::Object(groups))
    }
}

/// The `screeningClassification` value of a summary key (`pep.level1` → `pepLevel1`).
fn classification(path: &str) -> String {
    let (group, key) = path.split_once('.').unwrap_or((path, ""));
    let mut chars = key.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase());
    format!(
        "{group}{}{}",
        first.map(String::from).unwrap_or_default(),
        chars.as_str()
    )
}

/// A non-empty string at a path of nested objects.
fn text<'a>(map: &'a Map<String, Value>, path: &[&str]) -> Option<&'a str> {
    let (last, parents) = path.split_last()?;
    let mut map = map;
    for key in parents {
        map = map.get(*key)?.as_object()?;
    }
    map.get(*last)?.as_str().filter(|s| !s.trim().is_empty())
}

/// The day the check was created: the millisecond prefix of a resource id (`ids.rs`), or
/// 2024-01-01 for ids without one.
fn created_on(id: &str) -> NaiveDate {
    id.get(..12)
        .and_then(|prefix| i64::from_str_radix(prefix, 16).ok())
        .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
        .map(|t| t.date_naive())
        .filter(|d| d.year() >= 2000)
        .unwrap_or_else(|| ymd(2024, 1, 1))
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

fn years_between(dob: NaiveDate, today: NaiveDate) -> i32 {
    let mut years = today.year() - dob.year();
    if (today.month(), today.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    years.max(0)
}

/// A structured date as results carry them.
fn date(d: NaiveDate) -> Value {
    json!({ "day": d.day(), "month": d.month(), "year": d.year() })
}

fn alpha3(alpha2: &str) -> &'static str {
    country::by_alpha2(alpha2).map_or("<<<", |c| c.alpha3.as_str())
}

fn yymmdd(d: NaiveDate) -> String {
    format!(
        "{:02}{:02}{:02}",
        d.year().rem_euclid(100),
        d.month(),
        d.day()
    )
}

/// Upper-case MRZ characters: letters and digits kept, everything else a filler.
fn mrz_text(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            u @ ('A'..='Z' | '0'..='9') => u,
            _ => '<',
        })
        .collect()
}

/// Pads with fillers, or cuts, to exactly `len` characters.
fn pad(s: &str, len: usize) -> String {
    let mut out: String = s.chars().take(len).collect();
    while out.len() < len {
        out.push('<');
    }
    out
}

/// The ICAO 9303 check digit (weights 7, 3, 1).
fn check_digit(s: &str) -> char {
    let sum: u32 = s
        .chars()
        .zip([7, 3, 1].into_iter().cycle())
        .map(|(c, w)| {
            let v = match c {
                '0'..='9' => c as u32 - '0' as u32,
                'A'..='Z' => c as u32 - 'A' as u32 + 10,
                _ => 0,
            };
            v * w
        })
        .sum();
    char::from(b'0' + (sum % 10) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHECK_ID: &str = "018f38a4c7a40a1b2c3d4e5f";

    /// Per-analysis values of each type with default options (paths inside `breakdown`).
    fn analysis_paths(t: CheckType) -> Vec<String> {
        let spec = match t {
            CheckType::StandardScreening | CheckType::ExtensiveScreening => {
                return SCREENING_PATHS
                    .split_whitespace()
                    .map(|p| format!("summary.{p}"))
                    .collect();
            }
            CheckType::Document => {
                "mrzAnalysis.mrzFormat mrzAnalysis.mrzChecksum consistencyAnalysis.firstName \
                 consistencyAnalysis.lastName consistencyAnalysis.dob contentAnalysis.dataIntegrity \
                 contentAnalysis.minimumAcceptedAge formatAnalysis.modelIdentification \
                 forensicAnalysis.imageTampering frontAndBackAnalysis.frontAndBackMatch"
            }
            CheckType::Identity => {
                "faceAnalysis.faceDetection faceAnalysis.facialSimilarity \
                 faceAnalysis.previouslyEnrolledFace authenticityAnalysis.spoofedImageAnalysis \
                 authenticityAnalysis.livenessCheck integrityAnalysis.faceDetection"
            }
            CheckType::EnhancedIdentity => {
                "faceAnalysis.facialSimilarity faceAnalysis.previouslyEnrolledFace \
                 livenessAnalysis.videoChallenges livenessAnalysis.spoofedVideoAnalysis"
            }
            CheckType::ProofOfAddress => {
                "clientValidation.entityName clientValidation.address contentAnalysis.issuingDate \
                 geolocationAnalysis.address"
            }
            CheckType::MultiBureau => "name.result dob.result address.result",
            CheckType::FaceAuthentication => "faceAuthentication.facialSimilarity",
            CheckType::AgeEstimation => {
                "ageEstimationAnalysis.ageValidation authenticityAnalysis.spoofedImageAnalysis"
            }
        };
        spec.split_whitespace().map(String::from).collect()
    }

    /// The documented screening summary keys, written out independently of [`SCREENING`].
    const SCREENING_PATHS: &str = "pep.level1 pep.level2 pep.level3 pep.level4 \
        watchlist.sanctionsLists watchlist.otherOfficialLists watchlist.warCrimes \
        watchlist.terror watchlist.otherExclusionLists watchlist.sanctionsControlAndOwnership \
        adverseMedia.environmentProduction adverseMedia.socialLabour \
        adverseMedia.competitiveFinancial adverseMedia.regulatory otherLists.associatedEntity \
        otherLists.organisedCrime otherLists.financialCrime otherLists.taxCrime \
        otherLists.corruption otherLists.trafficking";

    /// Every other documented key of each type's breakdown.
    fn other_paths(t: CheckType) -> &'static [&'static str] {
        match t {
            CheckType::StandardScreening | CheckType::ExtensiveScreening => &["matches"],
            CheckType::Document => &[
                "extractedData.documentDetails.documentType",
                "extractedData.documentDetails.hasTwoSides",
                "extractedData.documentDetails.issuingCountry",
                "extractedData.documentDetails.documentNumber",
                "extractedData.documentDetails.issuingDate.day",
                "extractedData.documentDetails.expirationDate.year",
                "extractedData.mrzDetails.line1",
                "extractedData.mrzDetails.line2",
                "extractedData.mrzDetails.line3",
                "extractedData.holderDetails.firstName",
                "extractedData.holderDetails.lastName",
                "extractedData.holderDetails.dob.month",
                "extractedData.holderDetails.nationality",
                "extractedData.holderDetails.gender",
                "extractedImages",
            ],
            CheckType::Identity | CheckType::EnhancedIdentity => {
                &["faceAnalysis.breakdown.facialSimilarityScore"]
            }
            CheckType::ProofOfAddress => &[
                "extractedData.documentDetails.documentType",
                "extractedData.documentDetails.issuer",
                "extractedData.documentDetails.issuingDate.year",
                "extractedData.holderDetails.entityName",
                "extractedData.addressDetails.addressLine",
                "extractedData.addressDetails.addressCountry",
                "extractedData.addressDetails.address.propertyNumber",
                "extractedData.addressDetails.address.line",
                "extractedData.addressDetails.address.city",
                "extractedData.addressDetails.address.postalCode",
                "extractedData.addressDetails.address.country",
                "extractedData.addressDetails.address.latLong.lat",
                "extractedData.addressDetails.address.latLong.long",
            ],
            CheckType::MultiBureau => &[
                "name.breakdown.sources",
                "dob.breakdown.sources",
                "address.breakdown.sources",
            ],
            CheckType::FaceAuthentication => {
                &["faceAuthentication.breakdown.enrolledFaces.livePhotoIds"]
            }
            CheckType::AgeEstimation => &[
                "ageEstimationAnalysis.breakdown.age",
                "ageEstimationAnalysis.breakdown.ageMin",
                "ageEstimationAnalysis.breakdown.ageMax",
                "authenticityAnalysis.breakdown.livenessScore",
            ],
        }
    }

    fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
        path.split('.').try_fold(v, |v, key| v.get(key))
    }

    fn has_null(v: &Value) -> bool {
        match v {
            Value::Null => true,
            Value::Array(a) => a.iter().any(has_null),
            Value::Object(m) => m.values().any(has_null),
            _ => false,
        }
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn person(last: &str) -> Map<String, Value> {
        obj(json!({
            "type": "person",
            "entityName": format!("Jane {last}"),
            "personDetails": {
                "firstName": "Jane", "middleName": "Q", "lastName": last,
                "dob": "1990-05-17", "nationality": "FR", "gender": "female",
            },
        }))
    }

    fn check() -> Map<String, Value> {
        obj(json!({ "documentId": "a".repeat(24), "livePhotoId": "b".repeat(24) }))
    }

    #[test]
    fn triggers_come_from_the_last_name_or_company_name() {
        assert_eq!(trigger_for(&person("Doe")), Trigger::Clear);
        assert_eq!(trigger_for(&person(" ATTENTION ")), Trigger::Attention);
        assert_eq!(trigger_for(&person("Failed")), Trigger::NotProcessed);
        let company =
            |name: &str| obj(json!({ "type": "company", "companyDetails": { "name": name } }));
        assert_eq!(trigger_for(&company("attention")), Trigger::Attention);
        assert_eq!(trigger_for(&company("failed")), Trigger::NotProcessed);
        assert_eq!(trigger_for(&company("Acme Ltd")), Trigger::Clear);
        assert_eq!(trigger_for(&Map::new()), Trigger::Clear);
    }

    #[test]
    fn every_type_and_trigger_is_complete_consistent_and_deterministic() {
        let cases = [
            (Trigger::Clear, "Doe", "clear"),
            (Trigger::Attention, "attention", "attention"),
            (Trigger::NotProcessed, "failed", "not_processed"),
        ];
        for t in CheckType::ALL {
            for (trigger, last, outcome) in cases {
                let client = person(last);
                let result = simulate(t, CHECK_ID, &check(), &client, trigger);
                let label = format!("{} {trigger:?}", t.as_str());
                assert_eq!(result["outcome"], outcome, "{label}");
                assert!(!has_null(&result), "{label}: {result}");
                assert_eq!(simulate(t, CHECK_ID, &check(), &client, trigger), result);
                let breakdown = &result["breakdown"];
                for path in other_paths(t) {
                    assert!(at(breakdown, path).is_some(), "{label}: {path} missing");
                }
                let values: Vec<&str> = analysis_paths(t)
                    .iter()
                    .map(|p| at(breakdown, p).and_then(Value::as_str).expect(p))
                    .collect();
                let extensive_only = |p: &str| {
                    t == CheckType::StandardScreening
                        && (p.contains("adverseMedia")
                            || p.contains("otherLists")
                            || p.ends_with("otherExclusionLists"))
                };
                for (path, value) in analysis_paths(t).iter().zip(&values) {
                    let expected = match trigger {
                        _ if extensive_only(path) => "not_processed",
                        Trigger::Clear => "clear",
                        Trigger::NotProcessed => "not_processed",
                        Trigger::Attention => continue,
                    };
                    assert_eq!(*value, expected, "{label}: {path}");
                }
                if trigger == Trigger::Attention {
                    assert!(values.contains(&"attention"), "{label}");
                    assert!(
                        values
                            .iter()
                            .all(|v| *v != "not_processed" || t.is_screening())
                    );
                }
            }
        }
    }

    #[test]
    fn attention_screening_matches_are_the_client_with_stable_ids() {
        let client = person("attention");
        let result = simulate(
            CheckType::StandardScreening,
            CHECK_ID,
            &Map::new(),
            &client,
            Trigger::Attention,
        );
        let summary = &result["breakdown"]["summary"];
        assert_eq!(summary["pep"]["level1"], "attention");
        assert_eq!(summary["watchlist"]["sanctionsLists"], "attention");
        assert_eq!(summary["pep"]["level2"], "clear");
        let matches = result["breakdown"]["matches"].as_array().unwrap();
        assert_eq!(matches.len(), 2);
        let expected = hex::encode(Sha256::digest(format!("{CHECK_ID}:1")));
        assert_eq!(matches[0]["id"], expected[..24]);
        assert_ne!(matches[0]["id"], matches[1]["id"]);
        let m = &matches[0];
        assert_eq!(m["entityType"], "person");
        assert!((91..=99).contains(&m["score"].as_u64().unwrap()));
        assert_eq!(m["names"][0]["lastName"], "attention");
        assert_eq!(
            m["countries"][0],
            json!({"type": "Citizenship", "country": "FR"})
        );
        assert_eq!(
            m["dates"][0]["date"],
            json!({"day": 17, "month": 5, "year": 1990})
        );
        assert_eq!(m["sources"][0]["classification"], "pepLevel1");
        assert_eq!(
            matches[1]["sources"][0]["classification"],
            "watchlistSanctionsLists"
        );

        let clear = simulate(
            CheckType::StandardScreening,
            CHECK_ID,
            &Map::new(),
            &person("Doe"),
            Trigger::Clear,
        );
        assert_eq!(clear["breakdown"]["matches"], json!([]));
    }

    #[test]
    fn companies_are_flagged_on_sanctions_only() {
        let client = obj(json!({
            "type": "company", "entityName": "attention",
            "companyDetails": { "name": "attention", "incorporationCountry": "GB" },
        }));
        let result = simulate(
            CheckType::ExtensiveScreening,
            CHECK_ID,
            &Map::new(),
            &client,
            Trigger::Attention,
        );
        assert_eq!(result["breakdown"]["summary"]["pep"]["level1"], "clear");
        let matches = result["breakdown"]["matches"].as_array().unwrap();
        assert_eq!(matches.len(), 1);
        assert_eq!(matches[0]["entityType"], "company");
        assert_eq!(matches[0]["names"][0]["companyName"], "attention");
        assert_eq!(matches[0]["countries"][0]["type"], "Jurisdiction");
    }

    #[test]
    fn classifications_not_selected_are_not_processed() {
        let check = obj(json!({ "options": {
            "screeningClassification": ["watchlistTerror", "adverseMediaRegulatory"],
        }}));
        let client = person("attention");
        let run = |t| simulate(t, CHECK_ID, &check, &client, Trigger::Attention);
        let standard = run(CheckType::StandardScreening);
        let summary = &standard["breakdown"]["summary"];
        assert_eq!(summary["pep"]["level1"], "not_processed");
        assert_eq!(summary["watchlist"]["terror"], "attention");
        assert_eq!(summary["adverseMedia"]["regulatory"], "not_processed");
        assert_eq!(
            standard["breakdown"]["matches"].as_array().unwrap().len(),
            1
        );
        let extensive = run(CheckType::ExtensiveScreening);
        assert_eq!(
            extensive["breakdown"]["summary"]["adverseMedia"]["regulatory"],
            "clear"
        );

        let nothing = obj(json!({ "options": {
            "screeningClassification": ["adverseMediaRegulatory"],
        }}));
        let result = simulate(
            CheckType::StandardScreening,
            CHECK_ID,
            &nothing,
            &client,
            Trigger::Attention,
        );
        assert_eq!(result["outcome"], "clear");
        assert_eq!(result["breakdown"]["matches"], json!([]));
    }

    #[test]
    fn document_data_comes_from_the_client_with_a_valid_mrz() {
        let check = obj(json!({ "options": {
            "analysisCoverage": ["mrz_analysis", "forensic_analysis"],
            "clientDataValidation": true,
        }}));
        let result = simulate(
            CheckType::Document,
            CHECK_ID,
            &check,
            &person("Doe"),
            Trigger::Clear,
        );
        let b = &result["breakdown"];
        let holder = &b["extractedData"]["holderDetails"];
        assert_eq!(holder["firstName"], json!(["JANE"]));
        assert_eq!(holder["lastName"], json!(["DOE"]));
        assert_eq!(holder["dob"], json!({"day": 17, "month": 5, "year": 1990}));
        assert_eq!(b["consistencyAnalysis"]["dob"], "not_processed");
        assert_eq!(b["mrzAnalysis"]["mrzChecksum"], "clear");
        assert_eq!(b["clientValidation"]["lastName"], "clear");
        let mrz = &b["extractedData"]["mrzDetails"];
        let (l1, l2, l3) = (
            mrz["line1"].as_str().unwrap(),
            mrz["line2"].as_str().unwrap(),
            mrz["line3"].as_str().unwrap(),
        );
        assert!(
            [l1, l2, l3].iter().all(|l| l.len() == 30),
            "{l1}\n{l2}\n{l3}"
        );
        assert!(l1.starts_with("IDFRA"));
        assert_eq!(&l2[..6], "900517");
        assert_eq!(l2.chars().nth(6), Some(check_digit("900517")));
        assert_eq!(&l2[7..8], "F");
        assert!(l3.starts_with("DOE<<JANE<"));
        let composite = format!("{}{}{}{}", &l1[5..30], &l2[0..7], &l2[8..15], &l2[18..29]);
        assert_eq!(l2.chars().nth(29), Some(check_digit(&composite)));
        // The ICAO 9303 specimen: 520727 → 3.
        assert_eq!(check_digit("520727"), '3');
    }

    #[test]
    fn face_authentication_matches_only_when_clear() {
        let run = |trigger| {
            simulate(
                CheckType::FaceAuthentication,
                CHECK_ID,
                &check(),
                &person("x"),
                trigger,
            )
        };
        let clear = run(Trigger::Clear);
        let details = &clear["breakdown"]["faceAuthentication"]["breakdown"];
        assert_eq!(details["facesMatched"][0]["livePhotoId"], "b".repeat(24));
        assert_eq!(
            details["enrolledFaces"]["livePhotoIds"],
            json!(["b".repeat(24)])
        );
        for trigger in [Trigger::Attention, Trigger::NotProcessed] {
            let details = run(trigger)["breakdown"]["faceAuthentication"]["breakdown"].clone();
            assert!(details.get("facesMatched").is_none());
        }
    }

    #[test]
    fn estimated_age_follows_the_date_of_birth() {
        // CHECK_ID was created on 2024-05-02; the client was born 1990-05-17.
        assert_eq!(created_on(CHECK_ID), ymd(2024, 5, 2));
        let age = |trigger, client: &Map<String, Value>| {
            simulate(
                CheckType::AgeEstimation,
                CHECK_ID,
                &check(),
                client,
                trigger,
            )["breakdown"]["ageEstimationAnalysis"]["breakdown"]
                .clone()
        };
        assert_eq!(
            age(Trigger::Clear, &person("x")),
            json!({"age": 33, "ageMin": 29, "ageMax": 37})
        );
        let minor = age(Trigger::Attention, &person("attention"));
        assert!(minor["age"].as_i64().unwrap() < 18);
        let no_dob =
            obj(json!({"type": "person", "personDetails": {"firstName": "A", "lastName": "B"}}));
        assert_eq!(age(Trigger::Clear, &no_dob)["age"], 30);
    }
}
