//! The risk model against its documented rules.

use serde_json::{Map, Value, json};

use super::sources::rows;
use super::*;
use crate::checks::CheckType;
use crate::checks::sandbox::{Trigger, simulate};

const AT: i64 = 1_714_642_274_212;

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn person(middle: &str, nationality: Option<&str>) -> Map<String, Value> {
    let mut details = json!({ "firstName": "Ada", "middleName": middle, "lastName": "Byron" });
    if let Some(n) = nationality {
        details["nationality"] = json!(n);
    }
    obj(json!({ "type": "person", "personDetails": details }))
}

/// The profile, as JSON, of a client and addresses given as bodies (filled in where the model
/// reads nothing) and screening results given as stored JSON.
fn risk_profile(
    mode: RiskMode,
    client: &Map<String, Value>,
    addresses: &[&Map<String, Value>],
    screenings: &[ScreeningEvidence<'_, Value>],
    at: i64,
) -> Value {
    let mut client = client.clone();
    client.entry("email").or_insert(json!("a@b.co"));
    client.entry("entityName").or_insert(json!("x"));
    let client: Client = serde_json::from_value(Value::Object(client)).unwrap();
    let addresses: Vec<Address> = addresses
        .iter()
        .map(|a| {
            let mut a = (*a).clone();
            a.insert("clientId".into(), json!("c"));
            a.entry("line").or_insert(json!("1 Road"));
            a.entry("city").or_insert(json!("Town"));
            serde_json::from_value(Value::Object(a)).unwrap()
        })
        .collect();
    let results: Vec<CheckResult> = screenings.iter().map(|e| typed(e.result)).collect();
    let evidence: Vec<super::ScreeningEvidence<'_>> = screenings
        .iter()
        .zip(&results)
        .map(|(e, result)| super::ScreeningEvidence {
            check_id: e.check_id,
            result,
            completed_at: e.completed_at,
        })
        .collect();
    serde_json::to_value(super::risk_profile(
        mode, &client, &addresses, &evidence, at,
    ))
    .unwrap()
}

/// [`super::ScreeningEvidence`] with the result as stored JSON.
struct ScreeningEvidence<'a, R> {
    check_id: &'a str,
    result: &'a R,
    completed_at: i64,
}

fn typed(result: &Value) -> CheckResult {
    CheckResult::from_value(CheckType::StandardScreening, result.clone()).unwrap()
}

fn levels(profile: &Value) -> [&str; 5] {
    [
        "overall",
        "countryRisk",
        "politicalExposureRisk",
        "occupationRisk",
        "watchlistRisk",
    ]
    .map(|k| {
        let v = &profile[k];
        v.get("risk").unwrap_or(v).as_str().unwrap()
    })
}

fn screening(trigger: Trigger) -> Value {
    let last = if trigger == Trigger::Attention {
        "attention"
    } else {
        "Byron"
    };
    let client = serde_json::from_value(json!({ "type": "person", "email": "a@b.co",
        "entityName": "Ada", "personDetails": { "firstName": "Ada", "lastName": last } }))
    .unwrap();
    let check: crate::checks::Check = serde_json::from_value(json!({
        "clientId": "c", "type": CheckType::StandardScreening, "status": "pending"}))
    .unwrap();
    simulate("018f38a4c7a40a1b2c3d4e5f", &check, &client, trigger).to_value()
}

#[test]
fn the_table_is_read_whole_and_sources_never_exceed_the_level() {
    let table: std::collections::HashMap<_, _> = rows().collect();
    assert_eq!(table.len(), 249);
    for row in table.values() {
        assert!(
            row.scores
                .iter()
                .all(|s| *s <= row.level && *s != Level::NotSet)
        );
    }
    assert_eq!(
        table["KP"].scores,
        [
            Level::High,
            Level::Medium,
            Level::Medium,
            Level::High,
            Level::Medium,
            Level::Medium
        ]
    );
    assert_eq!(table["GB"].level, Level::Low);
    assert_eq!(table["UA"].scores[3], Level::Medium);
}

#[test]
fn sandbox_triggers() {
    let run = |client: &Map<String, Value>, addresses: &[&Map<String, Value>]| {
        risk_profile(RiskMode::Sandbox, client, addresses, &[], AT)
    };
    let none = run(&person("", None), &[]);
    assert_eq!(levels(&none), ["not_set"; 5]);
    assert_eq!(none["updatedAt"], "2024-05-02T09:31:14.212Z");
    assert_eq!(
        levels(&run(&person("high-risk", None), &[])),
        ["not_set"; 5]
    );

    let low = run(&person("", Some("GB")), &[]);
    assert_eq!(
        levels(&low),
        ["low", "low", "not_set", "not_set", "not_set"]
    );
    assert_eq!(low["countryRisk"]["country"], "GB");
    assert_eq!(low["countryRisk"]["breakdown"].as_array().unwrap().len(), 6);

    let address = obj(json!({ "country": "FR", "city": "Paris" }));
    let medium = run(&person("Medium-Risk", None), &[&address]);
    assert_eq!(
        levels(&medium),
        ["medium", "medium", "not_set", "not_set", "not_set"]
    );
    assert_eq!(medium["countryRisk"]["country"], "FR");

    let company = obj(json!({ "type": "company",
        "companyDetails": { "name": "Acme", "incorporationCountry": "DE" } }));
    assert_eq!(levels(&run(&company, &[]))[0], "low");
    let high = run(&person("high-risk", Some("GB")), &[]);
    assert_eq!(levels(&high)[..2], ["high", "high"]);
}

#[test]
fn sandbox_screening_components_are_capped_at_the_trigger() {
    let result = screening(Trigger::Attention);
    let evidence = [ScreeningEvidence {
        check_id: "c1",
        result: &result,
        completed_at: 1,
    }];
    let profile = risk_profile(
        RiskMode::Sandbox,
        &person("", Some("GB")),
        &[],
        &evidence,
        AT,
    );
    assert_eq!(levels(&profile), ["low", "low", "low", "not_set", "low"]);
    assert_eq!(profile["politicalExposureRisk"]["checkId"], "c1");
}

#[test]
fn live_country_risk_follows_the_riskiest_country() {
    let kp = risk_profile(RiskMode::Live, &person("", Some("KP")), &[], &[], AT);
    assert_eq!(
        levels(&kp),
        ["high", "high", "not_set", "not_set", "not_set"]
    );
    assert_eq!(kp["countryRisk"]["country"], "KP");
    assert_eq!(
        kp["countryRisk"]["breakdown"][0],
        json!({ "source": "Financial Action Task Force (FATF)", "normalisedRiskScore": "high" })
    );

    let address = obj(json!({ "country": "VE" }));
    let ve = risk_profile(
        RiskMode::Live,
        &person("", Some("GB")),
        &[&address],
        &[],
        AT,
    );
    assert_eq!(ve["countryRisk"]["risk"], "medium");
    assert_eq!(ve["countryRisk"]["country"], "VE");

    let gb = risk_profile(
        RiskMode::Live,
        &person("high-risk", Some("GB")),
        &[],
        &[],
        AT,
    );
    assert_eq!(levels(&gb)[..2], ["low", "low"]);
    let unknown = risk_profile(RiskMode::Live, &person("", Some("XK")), &[], &[], AT);
    assert_eq!(levels(&unknown), ["not_set"; 5]);
}

#[test]
fn live_screening_components() {
    let flagged = screening(Trigger::Attention);
    let clear = screening(Trigger::Clear);
    let evidence = [
        ScreeningEvidence {
            check_id: "old",
            result: &clear,
            completed_at: 1,
        },
        ScreeningEvidence {
            check_id: "new",
            result: &flagged,
            completed_at: 2,
        },
    ];
    let profile = risk_profile(RiskMode::Live, &person("", Some("GB")), &[], &evidence, AT);
    assert_eq!(levels(&profile), ["high", "low", "high", "not_set", "high"]);
    assert_eq!(profile["politicalExposureRisk"]["checkId"], "new");
    assert_eq!(profile["watchlistRisk"]["checkId"], "new");

    let mut rejected = flagged.clone();
    rejected["outcome"] = json!("clear");
    let not_processed = screening(Trigger::NotProcessed);
    let evidence = [
        ScreeningEvidence {
            check_id: "a",
            result: &rejected,
            completed_at: 1,
        },
        ScreeningEvidence {
            check_id: "b",
            result: &not_processed,
            completed_at: 2,
        },
    ];
    let profile = risk_profile(RiskMode::Live, &person("", None), &[], &evidence, AT);
    assert_eq!(
        levels(&profile),
        ["low", "not_set", "low", "not_set", "low"]
    );
    assert_eq!(profile["watchlistRisk"]["checkId"], "a");
}

#[test]
fn pep_levels_and_adverse_media() {
    let result = |pep: [&str; 4], outcome: &str| {
        let mut summary = crate::checks::result::ScreeningSummary::graded(
            |class| class == "watchlistSanctionsLists" || class == "adverseMediaRegulatory",
            |class| class == "adverseMediaRegulatory",
        );
        let mut summary = serde_json::to_value(&mut summary).unwrap();
        summary["pep"] =
            json!({ "level1": pep[0], "level2": pep[1], "level3": pep[2], "level4": pep[3] });
        typed(&json!({ "outcome": outcome, "breakdown": { "matches": [], "summary": summary }}))
    };
    let a = ["clear", "attention", "clear", "clear"];
    assert_eq!(pep_level(&result(a, "attention")), Level::Medium);
    assert_eq!(pep_level(&result(a, "match_confirmed")), Level::High);
    let c = ["clear", "clear", "clear", "attention"];
    assert_eq!(pep_level(&result(c, "attention")), Level::Medium);
    assert_eq!(watchlist_level(&result(c, "attention")), Level::Medium);
    let n = ["not_processed"; 4];
    assert_eq!(pep_level(&result(n, "attention")), Level::NotSet);
}

#[test]
fn no_data_is_not_set_everywhere() {
    let profile = risk_profile(RiskMode::Live, &person("", None), &[], &[], AT);
    assert_eq!(levels(&profile), ["not_set"; 5]);
    assert_eq!(profile["occupationRisk"], json!({ "risk": "not_set" }));
    let keys: Vec<_> = profile.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "overall",
            "countryRisk",
            "politicalExposureRisk",
            "occupationRisk",
            "watchlistRisk",
            "updatedAt"
        ]
    );
}
