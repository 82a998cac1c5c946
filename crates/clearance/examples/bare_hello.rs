//! Baseline for `bench/api.sh`: a bare axum "hello" endpoint on the same runtime settings as
//! `clearance serve`, so API throughput can be reported as a ratio of what axum alone does here.

use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8099".into());
    let app = Router::new().route("/hello", get(|| async { "hello" }));
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    axum::serve(listener, app).await
}
