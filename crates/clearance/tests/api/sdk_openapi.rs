//! The capture API in `/v1/openapi.json`: its own security scheme (bearer SDK token), its
//! refusals declared, and an API key refused in the wire shape on every SDK operation (what
//! schemathesis meets when it runs the document with an API key).

use clearance_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn the_capture_api_is_documented_with_its_own_scheme() {
    let app = TestApp::spawn().await;
    let doc = app
        .send(Method::GET, "/v1/openapi.json", None, None)
        .await
        .body;
    let scheme = &doc["components"]["securitySchemes"]["sdkToken"];
    assert_eq!(scheme["type"], "http", "{scheme}");
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(
        doc["paths"]["/v1/clients"]["post"]["security"],
        json!([{"apiKey": []}])
    );

    let paths = doc["paths"].as_object().unwrap();
    let mut operations = Vec::new();
    for (path, item) in paths.iter().filter(|(p, _)| p.starts_with("/v1/sdk/")) {
        for (method, op) in item.as_object().unwrap() {
            assert_eq!(op["security"], json!([{"sdkToken": []}]), "{method} {path}");
            for status in ["200", "400", "401", "403", "429"] {
                assert!(
                    op["responses"].get(status).is_some(),
                    "{method} {path} declares {status}"
                );
            }
            operations.push((method.clone(), path.clone()));
        }
    }
    let mut documented: Vec<_> = operations.iter().map(|(m, p)| format!("{m} {p}")).collect();
    documented.sort();
    assert_eq!(
        documented,
        [
            "get /v1/sdk/session",
            "post /v1/sdk/checks",
            "post /v1/sdk/documents",
            "post /v1/sdk/documents/{id}/upload/{side}",
            "post /v1/sdk/livePhotos",
            "post /v1/sdk/liveVideos",
        ]
    );
    let body = |name: &str| doc["components"]["schemas"][name].clone();
    let required = |name: &str| body(name)["required"].clone();
    assert_eq!(
        required("SdkCheckCreate"),
        json!(["type"]),
        "clientId comes from the token"
    );
    assert!(
        body("SdkCheckCreate")["properties"]
            .get("options")
            .is_none(),
        "check options are the server's to set"
    );
    assert_eq!(required("SdkSession").as_array().map(Vec::len), Some(5));
    assert_eq!(
        body("SdkSession")["properties"]["checkTypes"]["type"],
        "array",
        "the check types a token may start are listed"
    );

    // An API key is refused on each of them, in the wire shape the document declares.
    for (method, path) in operations {
        let path = path
            .replace("{id}", "0123456789abcdef01234567")
            .replace("{side}", "front");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let body = (method == Method::POST).then(|| json!({}));
        let r = app
            .send(method.clone(), &path, Some(&app.test_key), body.as_ref())
            .await;
        assert_eq!(r.status, 401, "{method} {path}: {}", r.text);
        assert_eq!(r.body["type"], "unauthorized");
        assert!(matches!(&r.body["message"], Value::String(m) if !m.is_empty()));
        assert_eq!(r.headers["content-type"], "application/json");
    }
}
