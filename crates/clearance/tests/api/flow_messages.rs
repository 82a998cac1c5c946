//! A flow session's own `messages`: shown on the hosted pages instead of the catalogue's texts,
//! escaped like every other text.

use clearance_testkit::TestApp;
use serde_json::json;

use crate::flow::{body, client, flow_post, session};

async fn page(app: &TestApp, token: &str) -> (u16, String) {
    let r = app
        .client
        .get(format!("{}/flow/{token}", app.base))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

#[tokio::test]
async fn a_sessions_messages_replace_the_catalogue_texts_they_name() {
    let app = TestApp::spawn_paused().await;
    let id = client(&app).await;
    let mut request = body(&id);
    request["language"] = json!("fr");
    request["messages"] = json!({
        "page_title": "Vérification <Acme> & co",
        "consent_agree": "J'accepte les conditions d'Acme.",
        "err_network": "Connexion perdue \"Acme\"",
        "gone_title": "Déjà envoyé à Acme",
        "welcome": "A key no page uses",
    });
    let token = session(&app, &request).await;
    let (status, html) = page(&app, &token).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<title>Vérification &lt;Acme&gt; &amp; co</title>"),
        "custom and escaped: {html}"
    );
    assert!(html.contains("J&#39;accepte les conditions d&#39;Acme."));
    assert!(html.contains("data-msg-network=\"Connexion perdue &quot;Acme&quot;\""));
    assert!(!html.contains("Vérifiez votre identité</title>"));
    assert!(!html.contains("A key no page uses"));
    assert!(
        html.contains("Annuler"),
        "the rest stays in the session's language"
    );

    // Without messages the catalogue speaks.
    let mut plain = body(&id);
    plain["language"] = json!("fr");
    let (_, html) = page(&app, &session(&app, &plain).await).await;
    assert!(
        html.contains("<title>Vérifiez votre identité</title>"),
        "{html}"
    );

    // The page of a completed session uses them too.
    request["checkTypes"] = json!(["standard_screening_check"]);
    let token = session(&app, &request).await;
    let done = flow_post(&app, &token, "/finish", &json!({"consent": true})).await;
    assert_eq!(done.status, 200, "{}", done.text);
    let (status, html) = page(&app, &token).await;
    assert_eq!(status, 410);
    assert!(html.contains("Déjà envoyé à Acme"), "{html}");
}
