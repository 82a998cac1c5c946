//! The custom list and record rules: normalised bodies in their stored order, refusals that name their field.

use super::*;
use serde_json::json;

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn param(e: CoreError) -> Option<String> {
    match e {
        CoreError::Invalid { param, .. } => param,
        _ => None,
    }
}

#[test]
fn a_person_record_is_normalised() {
    let record = validate_record("l1", &obj(json!({
        "entityType": "person",
        "names": [{"type": "primary", "firstName": "Jane", "lastName": "Doe"}],
        "gender": "female",
        "countries": [{"type": "Resident of", "country": "US"}],
        "dates": [{"type": "Date of Birth", "date": {"day": "01", "month": "02", "year": "1987"}}],
        "active": true
    })))
    .unwrap();
    let body = crate::typed::encode(&record);
    assert_eq!(
        body.keys().collect::<Vec<_>>(),
        [
            "customListId",
            "entityType",
            "names",
            "active",
            "gender",
            "countries",
            "dates"
        ],
        "the stored order of today's bodies"
    );
    assert_eq!(
        body["dates"][0],
        json!({"type": "Date of Birth", "date": {"day": 1, "month": 2, "year": 1987}})
    );
    assert_eq!(
        body["names"][0],
        json!({"type": "primary", "firstName": "Jane", "lastName": "Doe"})
    );
    assert_eq!(body["gender"], "female");
    let back: CustomListRecord = crate::typed::decode_body("record", &body).unwrap();
    assert_eq!(back, record);
}

#[test]
fn a_company_record_keeps_only_what_was_given() {
    let record = validate_record(
        "l1",
        &obj(json!({
            "entityType": "company",
            "names": [{"companyName": "Acme"}],
            "countries": [],
            "dates": null
        })),
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&record).unwrap(),
        json!({"customListId": "l1", "entityType": "company",
            "names": [{"companyName": "Acme"}]})
    );
}

#[test]
fn bad_records_name_the_field() {
    let cases = [
        (json!({"names": [{"companyName": "X"}]}), "entityType"),
        (json!({"entityType": "person"}), "names"),
        (json!({"entityType": "person", "names": []}), "names"),
        (
            json!({"entityType": "person", "names": [{"firstName": "A"}]}),
            "names[0].lastName",
        ),
        (
            json!({"entityType": "company", "names": [{"companyName": "X", "lastName": "Y"}]}),
            "names[0].lastName",
        ),
        (
            json!({"entityType": "company", "names": [{"companyName": "X"}], "gender": "male"}),
            "gender",
        ),
        (
            json!({"entityType": "company", "names": [{"companyName": "X"}], "countries": [{"country": "XX"}]}),
            "countries[0].country",
        ),
        (
            json!({"entityType": "company", "names": [{"companyName": "X"}], "dates": [{"date": {"month": 13, "year": 1990}}]}),
            "dates[0].date.month",
        ),
        (
            json!({"entityType": "company", "names": [{"companyName": "X"}], "dates": [{"date": {"day": 2, "year": 1990}}]}),
            "dates[0].date.month",
        ),
        (
            json!({"entityType": "company", "names": [{"companyName": "X"}], "images": [""]}),
            "images[0]",
        ),
        (
            json!({"entityType": "company", "names": [{"companyName": "X"}], "colour": 1}),
            "colour",
        ),
    ];
    for (input, expected) in cases {
        let e = validate_record("l1", &obj(input.clone())).err();
        assert_eq!(e.and_then(param).as_deref(), Some(expected), "{input}");
    }
}

#[test]
fn lists_default_their_classification() {
    let list = validate_list(&obj(json!({"name": "Blocked"}))).unwrap();
    assert_eq!(
        list.classification,
        CustomListClassification::WatchlistOtherOfficialLists
    );
    assert_eq!(
        serde_json::to_value(&list).unwrap(),
        json!({"name": "Blocked", "classification": "watchlistOtherOfficialLists"})
    );
    let e = validate_list(&obj(
        json!({"name": "B", "classification": "adverseMediaRegulatory"}),
    ))
    .err();
    assert_eq!(e.and_then(param).as_deref(), Some("classification"));
}

#[test]
fn an_update_merges_and_null_removes_the_description() {
    let list = validate_list(&obj(json!({"name": "B", "description": "old"}))).unwrap();
    let renamed = validate_list_update(&list, &obj(json!({"name": "C"}))).unwrap();
    assert_eq!(renamed.name, "C");
    assert_eq!(renamed.description.as_deref(), Some("old"));
    let cleared = validate_list_update(&list, &obj(json!({"description": null}))).unwrap();
    assert_eq!(cleared.description, None);
    let e = validate_list_update(&list, &obj(json!({"name": null}))).err();
    assert_eq!(e.and_then(param).as_deref(), Some("name"));
}

#[test]
fn an_answered_list_carries_its_counts_last() {
    let list = validate_list(&obj(json!({"name": "B", "description": "d"}))).unwrap();
    let answered = CustomListWithStats {
        list,
        stats: CustomListStats {
            person_count: 2,
            company_count: 0,
        },
    };
    let body = crate::typed::encode(&answered);
    assert_eq!(
        body.keys().collect::<Vec<_>>(),
        ["name", "description", "classification", "stats"]
    );
    assert_eq!(body["stats"], json!({"personCount": 2, "companyCount": 0}));
}
