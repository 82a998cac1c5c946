//! The simulator against its documented promises.
use super::*;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// Runs the simulator on a check of type `t` whose body holds `check`'s fields.
fn sim(
    t: CheckType,
    check: &Map<String, Value>,
    client: &Map<String, Value>,
    trigger: Trigger,
) -> Value {
    let mut body = check.clone();
    body.insert("clientId".into(), json!("c".repeat(24)));
    body.insert("type".into(), json!(t));
    body.insert("status".into(), json!("pending"));
    let check: Check = serde_json::from_value(Value::Object(body)).expect("a check body");
    simulate(CHECK_ID, &check, &client_of(client), trigger).to_value()
}

fn check_digit(s: &str) -> char {
    clearance_idv::mrz::check_digit(s.bytes()).map_or('?', char::from)
}

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
             forensicAnalysis.imageTampering frontAndBackAnalysis.frontAndBackMatch \
             consistencyAnalysis.documentType consistencyAnalysis.issuingCountry \
             consistencyAnalysis.documentNumber contentAnalysis.documentExpiry"
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

/// A client from a body that may leave out what the simulator does not read.
fn client_of(body: &Map<String, Value>) -> Client {
    let mut body = body.clone();
    body.entry("email").or_insert(json!("a@b.co"));
    body.entry("entityName").or_insert(json!("x"));
    serde_json::from_value(Value::Object(body)).expect("a client body")
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
    assert_eq!(trigger_for(&client_of(&person("Doe"))), Trigger::Clear);
    assert_eq!(
        trigger_for(&client_of(&person(" ATTENTION "))),
        Trigger::Attention
    );
    assert_eq!(
        trigger_for(&client_of(&person("Failed"))),
        Trigger::NotProcessed
    );
    let company =
        |name: &str| obj(json!({ "type": "company", "companyDetails": { "name": name } }));
    assert_eq!(
        trigger_for(&client_of(&company("attention"))),
        Trigger::Attention
    );
    assert_eq!(
        trigger_for(&client_of(&company("failed"))),
        Trigger::NotProcessed
    );
    assert_eq!(
        trigger_for(&client_of(&company("Acme Ltd"))),
        Trigger::Clear
    );
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
            let result = sim(t, &check(), &client, trigger);
            let label = format!("{} {trigger:?}", t.as_str());
            assert_eq!(result["outcome"], outcome, "{label}");
            assert!(!has_null(&result), "{label}: {result}");
            assert_eq!(sim(t, &check(), &client, trigger), result);
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
    let result = sim(
        CheckType::StandardScreening,
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

    let clear = sim(
        CheckType::StandardScreening,
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
    let result = sim(
        CheckType::ExtensiveScreening,
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
    let run = |t| sim(t, &check, &client, Trigger::Attention);
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
    let result = sim(
        CheckType::StandardScreening,
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
    let result = sim(CheckType::Document, &check, &person("Doe"), Trigger::Clear);
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
        sim(
            CheckType::FaceAuthentication,
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
        sim(CheckType::AgeEstimation, &check(),
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
