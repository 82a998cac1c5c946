//! Pagination envelopes, ordering, time windows and dotted filters.

use clearance_testkit::TestApp;
use serde_json::json;

use crate::{company, person};

#[tokio::test]
async fn empty_lists_have_zero_pages() {
    let app = TestApp::spawn().await;
    let r = app.get("/v1/clients").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!({"page": 1, "pageSize": 100, "totalItems": 0, "pages": 0, "items": []})
    );
}

#[tokio::test]
async fn pages_are_newest_first_and_consistent() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            app.post("/v1/clients", &person("Ada", &format!("Number{i}")))
                .await
                .body["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    ids.reverse();
    let mut seen = Vec::new();
    for page in 1..=3 {
        let r = app
            .get(&format!("/v1/clients?page={page}&pageSize=2"))
            .await;
        assert_eq!(
            (r.body["page"].as_u64(), r.body["pageSize"].as_u64()),
            (Some(page), Some(2))
        );
        assert_eq!(
            (r.body["totalItems"].as_u64(), r.body["pages"].as_u64()),
            (Some(5), Some(3))
        );
        seen.extend(
            r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string()),
        );
    }
    assert_eq!(seen, ids, "newest first, every item once");
    let beyond = app.get("/v1/clients?page=9&pageSize=2").await;
    assert_eq!(beyond.body["items"], json!([]));
    for bad in [
        "page=0",
        "pageSize=0",
        "pageSize=1001",
        "page=abc",
        "pageSize=-5",
    ] {
        let r = app.get(&format!("/v1/clients?{bad}")).await;
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.error().0, "invalid_request");
    }
}

#[tokio::test]
async fn filters_are_exact_anded_and_dotted() {
    let app = TestApp::spawn().await;
    let ada = app
        .post("/v1/clients", &person("Ada", "Lovelace"))
        .await
        .body;
    app.post("/v1/clients", &person("Grace", "Hopper")).await;
    let mut tagged = company("Northwind Ltd");
    tagged["metadata"] = json!({"tier": "gold"});
    let northwind = app.post("/v1/clients", &tagged).await.body;
    let ids = |path: &str| {
        let app = &app;
        let path = path.to_string();
        async move {
            let r = app.get(&path).await;
            assert_eq!(r.status, 200, "{path}: {}", r.text);
            r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].clone())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        ids("/v1/clients?type=company").await,
        vec![northwind["id"].clone()]
    );
    assert_eq!(
        ids("/v1/clients?personDetails.firstName=Ada").await,
        vec![ada["id"].clone()]
    );
    assert_eq!(
        ids("/v1/clients?email=ada.lovelace%40example.org").await,
        vec![ada["id"].clone()]
    );
    assert_eq!(
        ids("/v1/clients?metadata.tier=gold").await,
        vec![northwind["id"].clone()]
    );
    assert_eq!(
        ids("/v1/clients?companyDetails.incorporationCountry=GB&type=company")
            .await
            .len(),
        1
    );
    assert_eq!(
        ids("/v1/clients?type=company&personDetails.firstName=Ada")
            .await
            .len(),
        0,
        "filters are ANDed"
    );
    assert_eq!(
        ids("/v1/clients?personDetails.firstName=ada").await.len(),
        0,
        "exact match"
    );
    assert_eq!(
        ids("/v1/clients?personDetails..firstName=Ada").await.len(),
        0,
        "malformed filter → no items"
    );
    assert_eq!(
        ids("/v1/clients?createdAfter=not-a-date").await.len(),
        0,
        "malformed time → no items"
    );
    assert_eq!(ids("/v1/clients?createdAfter=2000-01-01").await.len(), 3);
    assert_eq!(ids("/v1/clients?createdBefore=2000-01-01").await.len(), 0);
    assert_eq!(
        ids("/v1/clients?updatedAfter=2000-01-01T00:00:00Z")
            .await
            .len(),
        3
    );
}
