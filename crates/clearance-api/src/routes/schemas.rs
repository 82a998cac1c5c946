//! Wire schemas for the OpenAPI document. Handlers validate with the domain rules; these types
//! only describe the JSON, and schemathesis checks in CI that answers match them.

#![expect(dead_code, reason = "schema-only types: never constructed")]

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// The error body of every non-2xx answer.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// Machine-readable category, e.g. `invalid_request`, `resource_not_found`.
    #[serde(rename = "type")]
    kind: String,
    /// Human-readable explanation.
    message: String,
    /// The offending request field, on validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    param: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientType {
    Person,
    Company,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
    Other,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncorporationType {
    SoleProprietorship,
    PrivateLimitedCompany,
    PublicLimitedCompany,
    LimitedPartnership,
    HoldingCompany,
    NonGovernmentOrganisation,
    StatutoryCompany,
    SubsidiaryCompany,
    UnlimitedPartnership,
    CharitableIncorporatedOrganisation,
    CharteredCompany,
}

/// A person's details.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonDetails {
    first_name: String,
    middle_name: Option<String>,
    last_name: String,
    #[schema(format = Date)]
    dob: Option<String>,
    gender: Option<Gender>,
    /// ISO 3166-1 alpha-2.
    nationality: Option<String>,
    /// ISO 3166-1 alpha-2.
    birth_country: Option<String>,
    ssn: Option<String>,
    social_insurance_number: Option<String>,
    national_identity_number: Option<String>,
    tax_identification_number: Option<String>,
}

/// A company's details.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompanyDetails {
    name: String,
    website: Option<String>,
    registration_number: Option<String>,
    /// ISO 3166-1 alpha-2.
    incorporation_country: Option<String>,
    incorporation_type: Option<IncorporationType>,
}

/// A client (person or company).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Client {
    id: String,
    #[serde(rename = "type")]
    kind: ClientType,
    entity_name: String,
    email: String,
    mobile: Option<String>,
    telephone: Option<String>,
    external_id: Option<String>,
    #[schema(format = Date)]
    joined_date: Option<String>,
    person_details: Option<PersonDetails>,
    company_details: Option<CompanyDetails>,
    /// Up to 20 string values with keys of at most 40 characters.
    metadata: Option<HashMap<String, String>>,
    last_action_by: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// Body of `POST /v1/clients`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientCreate {
    #[serde(rename = "type")]
    kind: ClientType,
    #[schema(format = Email)]
    email: String,
    mobile: Option<String>,
    telephone: Option<String>,
    external_id: Option<String>,
    #[schema(format = Date)]
    joined_date: Option<String>,
    /// Required when `type` is `person`.
    person_details: Option<PersonDetails>,
    /// Required when `type` is `company`.
    company_details: Option<CompanyDetails>,
    metadata: Option<HashMap<String, String>>,
}

/// Body of `POST /v1/clients/{id}`: any subset of the client's fields.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientUpdate {
    #[schema(format = Email)]
    email: Option<String>,
    mobile: Option<String>,
    telephone: Option<String>,
    external_id: Option<String>,
    #[schema(format = Date)]
    joined_date: Option<String>,
    person_details: Option<Value>,
    company_details: Option<Value>,
    metadata: Option<HashMap<String, String>>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AddressType {
    Main,
    Alternative,
    Other,
}

/// A client's address.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    id: String,
    client_id: String,
    #[serde(rename = "type")]
    kind: Option<AddressType>,
    property_number: Option<String>,
    building_name: Option<String>,
    line: String,
    city: String,
    state: Option<String>,
    postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    country: String,
    #[schema(format = Date)]
    from_date: Option<String>,
    #[schema(format = Date)]
    to_date: Option<String>,
    last_action_by: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// Body of `POST /v1/addresses`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddressCreate {
    client_id: String,
    #[serde(rename = "type")]
    kind: Option<AddressType>,
    property_number: Option<String>,
    building_name: Option<String>,
    line: String,
    city: String,
    state: Option<String>,
    postal_code: Option<String>,
    country: String,
    #[schema(format = Date)]
    from_date: Option<String>,
    #[schema(format = Date)]
    to_date: Option<String>,
}

/// Body of `POST /v1/addresses/{id}`: any subset of the address fields.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddressUpdate {
    #[serde(rename = "type")]
    kind: Option<AddressType>,
    property_number: Option<String>,
    building_name: Option<String>,
    line: Option<String>,
    city: Option<String>,
    state: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    #[schema(format = Date)]
    from_date: Option<String>,
    #[schema(format = Date)]
    to_date: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Owner,
    Administrator,
    Developer,
    Analyst,
    SupportSpecialist,
    ViewOnly,
}

/// A member of the account's team.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamMember {
    id: String,
    first_name: String,
    last_name: String,
    role: Role,
    #[schema(format = DateTime)]
    created_at: String,
}

/// One change inside an audit entry.
#[derive(Serialize, ToSchema)]
pub struct DiffEntry {
    /// `new`, `delete`, `update` or `add`.
    action: String,
    /// Keys and array indices from the resource root.
    path: Vec<Value>,
    old: Option<Value>,
    new: Option<Value>,
}

/// An audit-log entry (`diff` only on the single-entry read).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditLog {
    id: String,
    member_id: Option<String>,
    resource_type: String,
    resource_id: String,
    client_id: Option<String>,
    trigger: String,
    /// `create`, `update` or `delete`.
    action: String,
    diff: Option<Vec<DiffEntry>>,
    #[schema(format = DateTime)]
    created_at: String,
}

/// Account information.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    username: String,
    plan: String,
    remaining_credit: Option<f64>,
}

macro_rules! list_schema {
    ($name:ident, $item:ty) => {
        /// A page of items, newest first.
        #[derive(Serialize, ToSchema)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            page: u64,
            page_size: u64,
            total_items: u64,
            /// 0 when there are no items.
            pages: u64,
            items: Vec<$item>,
        }
    };
}

list_schema!(ClientList, Client);
list_schema!(AddressList, Address);
list_schema!(TeamMemberList, TeamMember);
list_schema!(AuditLogList, AuditLog);

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    Passport,
    DrivingLicense,
    NationalInsuranceNumber,
    SocialSecurityNumber,
    UtilityBill,
    TaxIdentificationNumber,
    NationalIdentityCard,
    Visa,
    PollingCard,
    ResidencePermit,
    BirthCertificate,
    BankStatement,
    ChangeOfName,
    TaxDocument,
    CompanyConfirmationStatement,
    CompanyAnnualAccounts,
    CompanyStatementOfCapital,
    CompanyChangeOfAddress,
    CompanyIncorporation,
    CompanyChangeOfOfficers,
    CompanyChangeOfBeneficialOwners,
    Unknown,
    Other,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    ProofOfIdentity,
    SourceOfWealth,
    SourceOfFunds,
    ProofOfAddress,
    CompanyFiling,
    Other,
}

/// An uploaded image (or, after redaction, its tombstone: `redacted: true`, no file fields).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    id: String,
    file_name: Option<String>,
    /// `front` or `back`.
    document_side: String,
    /// Relative link without `/v1`.
    download_link: Option<String>,
    /// `image/jpg`, `image/png` or `application/pdf`.
    content_type: Option<String>,
    size: Option<u64>,
    redacted: Option<bool>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// A client's identity or supporting document.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    id: String,
    client_id: String,
    #[serde(rename = "type")]
    kind: DocumentType,
    classification: Option<Classification>,
    document_number: Option<String>,
    issuing_country: Option<String>,
    issuing_state: Option<String>,
    images: Option<Vec<Image>>,
    last_action_by: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// Body of `POST /v1/documents`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentCreate {
    client_id: String,
    #[serde(rename = "type")]
    kind: DocumentType,
    classification: Option<Classification>,
    document_number: Option<String>,
    issuing_country: Option<String>,
    issuing_state: Option<String>,
}

/// Body of `POST /v1/documents/{id}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentUpdate {
    #[serde(rename = "type")]
    kind: Option<DocumentType>,
    classification: Option<Classification>,
    document_number: Option<String>,
    issuing_country: Option<String>,
    issuing_state: Option<String>,
}

/// Body of an image upload: the file as base64 (34 KB to 4 MB once decoded).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImageUpload {
    /// Ends in `.jpg`, `.jpeg`, `.png` or `.pdf`.
    file_name: String,
    /// Base64 of the file.
    data: String,
}

/// Body of `POST /v1/documents/{id}/redact`.
#[derive(Serialize, ToSchema)]
pub struct DocumentRedact {
    /// Only `images` is defined.
    attributes: Option<Vec<String>>,
}

/// A downloaded file.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileDownload {
    file_name: String,
    content_type: String,
    /// Base64 of the file.
    data: String,
}

/// A selfie of the client.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LivePhoto {
    id: String,
    client_id: String,
    perform_liveness_check: bool,
    download_link: Option<String>,
    /// `images/jpg` or `images/png`, as ComplyCube spells it on this object.
    content_type: Option<String>,
    size: Option<u64>,
    redacted: Option<bool>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// Body of `POST /v1/livePhotos`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LivePhotoUpload {
    client_id: String,
    /// Base64 JPG or PNG, 34 KB to 4 MB once decoded.
    data: String,
    perform_liveness_check: Option<bool>,
}

/// A challenge the client performed on video.
#[derive(Serialize, ToSchema)]
pub struct Challenge {
    /// `voice` or `actions`.
    #[serde(rename = "type")]
    kind: String,
    value: Vec<String>,
}

/// A live video of the client.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LiveVideo {
    id: String,
    client_id: String,
    language: String,
    challenges: Vec<Challenge>,
    frame_count: Option<u64>,
    redacted: Option<bool>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// Body of `POST /v1/liveVideos` (used by capture flows).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LiveVideoCreate {
    client_id: String,
    language: Option<String>,
    /// Up to 12 base64 JPG or PNG frames.
    frames: Option<Vec<String>>,
}

/// An empty object, answered by redaction endpoints.
#[derive(Serialize, ToSchema)]
pub struct Empty {}

list_schema!(DocumentList, Document);
list_schema!(LivePhotoList, LivePhoto);
list_schema!(LiveVideoList, LiveVideo);

pub use clearance_core::checks::CheckType;

/// A check.
pub type Check = clearance_core::typed::Stored<clearance_core::checks::Check>;

/// Body of `POST /v1/checks`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckCreate {
    client_id: String,
    #[serde(rename = "type")]
    kind: CheckType,
    enable_monitoring: Option<bool>,
    document_id: Option<String>,
    address_id: Option<String>,
    live_photo_id: Option<String>,
    live_video_id: Option<String>,
    /// Type-specific options; an option the type does not take is refused by name.
    options: Option<HashMap<String, Value>>,
    client_consent: Option<bool>,
}

/// Body of `POST /v1/checks/{id}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckUpdate {
    enable_monitoring: bool,
}

/// Body of `POST /v1/checks/{id}/validate`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckValidate {
    /// `confirmed`, `rejected` or `attention`.
    outcome: String,
    /// Required for screening checks: the match being decided.
    match_id: Option<String>,
    rejection_reasons: Option<Vec<String>>,
    user_supplied_data: Option<HashMap<String, Value>>,
    comment: Option<String>,
}

/// Answer of `POST /v1/checks/{id}/validate`.
#[derive(Serialize, ToSchema)]
pub struct ValidationOutcome {
    outcome: String,
}

/// Body of `POST /v1/checks/{id}/redact`.
#[derive(Serialize, ToSchema)]
pub struct CheckRedact {
    attributes: Option<Vec<String>>,
    images: Option<Vec<String>>,
}

list_schema!(CheckList, Check);

/// One component of a risk profile.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RiskComponent {
    /// `low`, `medium`, `high` or `not_set`.
    risk: String,
    check_id: Option<String>,
}

/// One source of a country's risk level.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CountryRiskSource {
    source: String,
    normalised_risk_score: String,
}

/// The country component of a risk profile.
#[derive(Serialize, ToSchema)]
pub struct CountryRisk {
    risk: String,
    country: Option<String>,
    breakdown: Option<Vec<CountryRiskSource>>,
}

/// A client's risk profile.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RiskProfile {
    /// `low`, `medium`, `high` or `not_set`.
    overall: String,
    country_risk: CountryRisk,
    political_exposure_risk: RiskComponent,
    occupation_risk: RiskComponent,
    watchlist_risk: RiskComponent,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// A webhook endpoint. `secret` appears only in the create answer.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    id: String,
    url: String,
    enabled: bool,
    /// Event types, or `["*"]` for all.
    events: Vec<String>,
    description: Option<String>,
    /// The signing secret; only in the answer to `POST /v1/webhooks`.
    secret: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// Body of `POST /v1/webhooks`.
#[derive(Serialize, ToSchema)]
pub struct WebhookCreate {
    /// An https URL on a public address.
    url: String,
    enabled: bool,
    events: Vec<String>,
    description: Option<String>,
}

/// Body of `POST /v1/webhooks/{id}` (any create field).
#[derive(Serialize, ToSchema)]
pub struct WebhookUpdate {
    url: Option<String>,
    enabled: Option<bool>,
    events: Option<Vec<String>>,
    description: Option<String>,
}

list_schema!(WebhookList, Webhook);

/// One delivery attempt in a webhook's log. No payload is kept: the event id identifies it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    id: String,
    webhook_id: String,
    event_id: String,
    event_type: String,
    /// 1 for the first attempt at this event, counting retries.
    attempt: u32,
    /// `delivered` (a 2xx answer) or `failed`.
    status: String,
    /// The endpoint's HTTP status, when it answered.
    response_status: Option<u16>,
    /// Why the attempt failed (refused connection, timeout, error status).
    error: Option<String>,
    latency_ms: u64,
    /// `delivered`, `retrying` (see `nextRetryAt`) or `disabled` (the last attempt failed).
    outcome: String,
    #[schema(format = DateTime)]
    next_retry_at: Option<String>,
    /// When the attempt started.
    #[schema(format = DateTime)]
    created_at: String,
}

list_schema!(WebhookDeliveryList, WebhookDelivery);

/// Body of `POST /v1/webhooks/{id}/redeliver`: one event, or a time window.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookRedeliver {
    event_id: Option<String>,
    #[schema(format = DateTime)]
    created_after: Option<String>,
    #[schema(format = DateTime)]
    created_before: Option<String>,
}

/// How many events were queued for delivery again.
#[derive(Serialize, ToSchema)]
pub struct WebhookRedelivered {
    redelivered: u64,
}

/// Body of `POST /v1/webhooks/{id}/rotateSecret` (optional).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookRotateSecret {
    /// How long the old secret keeps signing too: default 86400, at most 604800.
    overlap_seconds: Option<u32>,
}

/// The new signing secret, shown this once.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookRotatedSecret {
    id: String,
    secret: String,
    /// Until when the previous secret also signs (absent with no overlap).
    #[schema(format = DateTime)]
    previous_secret_expires_at: Option<String>,
}

/// Sides to capture for one document type and country.
#[derive(Serialize, ToSchema)]
pub struct Sides {
    sides: u8,
}

/// Check type → document type → ISO 3166-1 alpha-2 country → sides.
#[derive(Serialize, ToSchema)]
pub struct SupportedDocuments(HashMap<String, HashMap<String, HashMap<String, Sides>>>);

/// Person and company counts of a custom list.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomListStats {
    person_count: u64,
    company_count: u64,
}

/// An account's own screening list.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomList {
    id: String,
    name: String,
    description: Option<String>,
    /// The `screeningClassification` its matches are reported under (default
    /// `watchlistOtherOfficialLists`).
    classification: String,
    stats: CustomListStats,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// Body of `POST /v1/customLists`.
#[derive(Serialize, ToSchema)]
pub struct CustomListCreate {
    name: String,
    description: Option<String>,
    classification: Option<String>,
}

/// Body of `POST /v1/customLists/{id}` (any create field).
#[derive(Serialize, ToSchema)]
pub struct CustomListUpdate {
    name: Option<String>,
    description: Option<String>,
    classification: Option<String>,
}

list_schema!(CustomListList, CustomList);

/// A name on a custom-list record: first and last name for a person, `companyName` for a
/// company.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomListName {
    /// `primary` or `alias`.
    r#type: Option<String>,
    first_name: Option<String>,
    middle_name: Option<String>,
    last_name: Option<String>,
    company_name: Option<String>,
}

/// A country of a custom-list record.
#[derive(Serialize, ToSchema)]
pub struct CustomListCountry {
    /// e.g. `Jurisdiction`, `Resident of`.
    r#type: Option<String>,
    country: String,
}

/// Date parts (strings such as `"01"` or numbers are accepted; numbers are returned).
#[derive(Serialize, ToSchema)]
pub struct CustomListDateParts {
    day: Option<u32>,
    month: Option<u32>,
    year: u32,
}

/// A date of a custom-list record.
#[derive(Serialize, ToSchema)]
pub struct CustomListDate {
    /// e.g. `Date of Birth`.
    r#type: Option<String>,
    date: CustomListDateParts,
}

/// Body of `POST /v1/customLists/{id}/records`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomListRecordCreate {
    /// `person` or `company`.
    entity_type: String,
    names: Vec<CustomListName>,
    active: Option<bool>,
    /// Persons only: `male`, `female` or `other`.
    gender: Option<String>,
    countries: Option<Vec<CustomListCountry>>,
    dates: Option<Vec<CustomListDate>>,
    images: Option<Vec<String>>,
}

/// A person or company on a custom list.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomListRecord {
    id: String,
    custom_list_id: String,
    entity_type: String,
    names: Vec<CustomListName>,
    active: Option<bool>,
    gender: Option<String>,
    countries: Option<Vec<CustomListCountry>>,
    dates: Option<Vec<CustomListDate>>,
    images: Option<Vec<String>>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

list_schema!(CustomListRecordList, CustomListRecord);

/// Body of `POST /v1/tokens`: `clientId` and exactly one of `referrer` and `appId`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenCreate {
    /// A client of the key's account and mode.
    client_id: String,
    /// Web SDK: a URL match pattern (Chrome semantics) the page's origin must satisfy, e.g.
    /// `https://*.example.com/*`.
    referrer: Option<String>,
    /// Mobile SDKs: the app's bundle id, e.g. `com.example.app`.
    app_id: Option<String>,
}

/// An SDK token.
#[derive(Serialize, ToSchema)]
pub struct Token {
    /// A JWT (EdDSA), valid for 60 minutes.
    token: String,
}

/// Body of `POST /v1/flow/sessions` (check-driven style).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlowSessionCreate {
    client_id: String,
    /// Checks to create when the client finishes: any type but `multi_bureau_check`.
    check_types: Vec<String>,
    /// Absolute http(s) URL the client is sent to when done.
    success_url: String,
    /// Absolute http(s) URL the client is sent to on cancel.
    cancel_url: String,
    /// Only with a screening check type (default false).
    enable_monitoring: Option<bool>,
    /// `en` (default), `ar`, `de`, `es`, `fr`, `hi`, `hk`, `id`, `it`, `ja`, `ko`, `nl`, `no`,
    /// `pl`, `pt`, `sv`, `th`, `vi`, `zh`.
    language: Option<String>,
    /// `light` (default) or `dark`.
    theme: Option<String>,
    /// Default true; false forces camera capture.
    allow_document_upload: Option<bool>,
    support_email: Option<String>,
    /// Custom UI texts, by key.
    messages: Option<HashMap<String, String>>,
    /// `passport`, `driving_license`, `residence_permit`, `national_identity_card` → allowed;
    /// absent: all.
    document_types: Option<HashMap<String, bool>>,
    short_url: Option<bool>,
}

/// A created flow session.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlowSession {
    /// The hosted pages for the client, under the server's public URL.
    redirect_url: String,
}
