//! The flow session rules: defaults, refusals that name their field, the stored key order.

use super::*;
use serde_json::json;

fn base() -> Value {
    json!({"clientId": "c1", "checkTypes": ["document_check", "identity_check"],
        "successUrl": "https://www.example.com/success", "cancelUrl": "https://www.example.com/cancel"})
}

fn create(body: &Value) -> Result<FlowSession> {
    validate_create(body.as_object().unwrap(), 0, None)
}

fn param(body: Value) -> Option<String> {
    match create(&body) {
        Err(CoreError::Invalid { param, .. }) => param,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn needs_follow_the_check_types() {
    use CheckType::*;
    assert!(Needs::of([StandardScreening]).none());
    let idv = Needs::of([Identity]);
    assert!(idv.document && idv.selfie && !idv.video && !idv.address_document);
    let enhanced = Needs::of([EnhancedIdentity, ProofOfAddress]);
    assert!(enhanced.document && enhanced.video && enhanced.address_document);
    assert!(!enhanced.selfie);
    assert!(Needs::of([AgeEstimation]).selfie);
}

#[test]
fn defaults_are_filled_in() {
    let session = create(&base()).unwrap();
    assert_eq!(session.language, FlowLanguage::En);
    assert_eq!(session.theme, FlowTheme::Light);
    assert!(session.allow_document_upload);
    assert!(!session.enable_monitoring && !session.short_url);
    assert_eq!(session.document_types.offered(), DOCUMENT_TYPES);
    assert_eq!(session.support_email, None);
    assert_eq!(session.progress.status, FlowStatus::Created);
    assert_eq!(
        session.progress.expires_at,
        format_timestamp(SESSION_TTL_MS)
    );
}

#[test]
fn the_stored_body_keeps_todays_key_order() {
    let mut body = base();
    body["supportEmail"] = json!("help@example.com");
    body["messages"] = json!({"cancel": "Back", "continue": "On"});
    body["documentTypes"] = json!({"passport": true});
    let mut session = create(&body).unwrap();
    let stored = serde_json::to_value(&session).unwrap();
    assert_eq!(
        stored.as_object().unwrap().keys().collect::<Vec<_>>(),
        [
            "clientId",
            "checkTypes",
            "successUrl",
            "cancelUrl",
            "enableMonitoring",
            "language",
            "theme",
            "allowDocumentUpload",
            "supportEmail",
            "messages",
            "documentTypes",
            "shortUrl",
            "status",
            "expiresAt"
        ]
    );
    assert_eq!(
        stored["documentTypes"],
        json!({"passport": true, "driving_license": false,
            "residence_permit": false, "national_identity_card": false})
    );
    assert_eq!(
        stored["messages"],
        json!({"cancel": "Back", "continue": "On"})
    );
    session.progress.status = FlowStatus::Completed;
    session.progress.completed_at = Some("2026-01-01T00:00:00.000Z".into());
    session.progress.checks.push(FlowCheck {
        check_type: CheckType::Document,
        id: "k1".into(),
    });
    let stored = typed_round_trip(&session);
    let keys: Vec<_> = stored.keys().skip(12).cloned().collect();
    assert_eq!(keys, ["status", "expiresAt", "completedAt", "checks"]);
    assert_eq!(
        stored["checks"],
        json!([{"type": "document_check", "id": "k1"}])
    );
}

fn typed_round_trip(session: &FlowSession) -> Map<String, Value> {
    let stored = crate::typed::encode(session);
    let back: FlowSession = crate::typed::decode_body("flow session", &stored).unwrap();
    assert_eq!(&back, session);
    stored
}

#[test]
fn offered_documents_follow_the_needs() {
    let mut body = base();
    body["documentTypes"] = json!({"passport": true});
    let session = create(&body).unwrap();
    assert!(session.offers_document_type("passport"));
    assert!(!session.offers_document_type("driving_license"));
    assert!(!session.offers_document_type("utility_bill"));
    body["checkTypes"] = json!(["proof_of_address_check"]);
    let session = create(&body).unwrap();
    assert!(session.offers_document_type("utility_bill"));
    assert!(!session.offers_document_type("passport"));
    assert!(!session.offers_document_type("visa"));
}

#[test]
fn each_bad_field_is_named() {
    let with = |k: &str, v: Value| {
        let mut b = base();
        b[k] = v;
        b
    };
    assert_eq!(
        param(with("checkTypes", json!([]))).as_deref(),
        Some("checkTypes")
    );
    assert_eq!(
        param(with("checkTypes", json!(["multi_bureau_check"]))).as_deref(),
        Some("checkTypes")
    );
    assert_eq!(
        param(with("successUrl", json!("javascript:alert(1)"))).as_deref(),
        Some("successUrl")
    );
    assert_eq!(
        param(with("cancelUrl", json!("/relative"))).as_deref(),
        Some("cancelUrl")
    );
    assert_eq!(
        param(with("language", json!("xx"))).as_deref(),
        Some("language")
    );
    assert_eq!(
        param(with("theme", json!("blue"))).as_deref(),
        Some("theme")
    );
    assert_eq!(
        param(with("supportEmail", json!("nope"))).as_deref(),
        Some("supportEmail")
    );
    assert_eq!(
        param(with("enableMonitoring", json!(true))).as_deref(),
        Some("enableMonitoring")
    );
    assert_eq!(
        param(with("documentTypes", json!({"visa": true}))).as_deref(),
        Some("documentTypes.visa")
    );
    assert_eq!(
        param(with("documentTypes", json!({"passport": false}))).as_deref(),
        Some("documentTypes")
    );
    assert_eq!(
        param(with("shortUrl", json!("yes"))).as_deref(),
        Some("shortUrl")
    );
}

#[test]
fn messages_name_the_accepted_values() {
    let message = |body: Value| match create(&body) {
        Err(CoreError::Invalid { message, .. }) => message,
        other => panic!("expected a refusal, got {other:?}"),
    };
    let mut body = base();
    body["checkTypes"] = json!(["eid_check"]);
    assert_eq!(
        message(body),
        "'checkTypes' must be a non-empty array of: standard_screening_check, \
         extensive_screening_check, document_check, identity_check, \
         enhanced_identity_check, proof_of_address_check, face_authentication_check, \
         age_estimation_check"
    );
    let mut body = base();
    body["language"] = json!("xx");
    assert_eq!(
        message(body),
        "'language' must be one of: en, ar, de, es, fr, hi, hk, id, it, ja, ko, nl, no, pl, \
         pt, sv, th, vi, zh"
    );
    let mut body = base();
    body["documentTypes"] = json!({"visa": true});
    assert_eq!(
        message(body),
        "'documentTypes.visa' is not a document type; use: passport, driving_license, \
         residence_permit, national_identity_card"
    );
}
