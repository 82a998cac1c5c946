//! Rendering the flow page from the embedded template: one pass over `{{name}}` placeholders
//! (never re-scanning what was put in, so user text cannot inject placeholders), conditional
//! `<!--if:x-->…<!--end:x-->` blocks for the steps a session does not need, and HTML escaping of
//! every value that is not one of our own fragments.

use clearance_core::resources::flow_session::{ADDRESS_DOCUMENT_TYPES, FlowSession, Needs};
use serde_json::{Map, Value};

use super::i18n::Catalogue;

const PAGE: &str = include_str!("assets/page.html");
const GONE: &str = include_str!("assets/gone.html");

/// The capture controls of a document step; the file input only when uploads are allowed.
const CAPTURE: &str = "<div class=\"camera\"><video playsinline muted autoplay></video>\
<img class=\"preview\" alt=\"{{t:preview_alt}}\" hidden></div>\
<div class=\"actions\">\
<button type=\"button\" class=\"primary\" data-action=\"shoot\">{{t:take_photo}}</button>\
<button type=\"button\" data-action=\"retake\" hidden>{{t:retake}}</button>\
<button type=\"button\" class=\"primary\" data-action=\"use\" hidden>{{t:use_photo}}</button>\
</div>";
const UPLOAD: &str = "<label class=\"upload\"><span>{{t:upload_file}}</span> \
<input type=\"file\" accept=\"image/jpeg,image/png\" data-action=\"file\"></label>";

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Replaces each `{{name}}` by `value(name)`, leaving unknown names as they are; inserted text
/// is not scanned again.
fn fill(template: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = &after[..end];
                match value(name) {
                    Some(v) => out.push_str(&v),
                    None => {
                        out.push_str("{{");
                        out.push_str(name);
                        out.push_str("}}");
                    }
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Drops the `<!--if:name-->…<!--end:name-->` block when `keep` is false.
fn section(page: String, name: &str, keep: bool) -> String {
    let open = format!("<!--if:{name}-->");
    let close = format!("<!--end:{name}-->");
    let (Some(a), Some(b)) = (page.find(&open), page.find(&close)) else {
        return page;
    };
    if keep {
        page.replacen(&open, "", 1).replacen(&close, "", 1)
    } else {
        format!("{}{}", &page[..a], &page[b + close.len()..])
    }
}

/// The session's document types that are offered, in a fixed order.
fn offered_types(session: &FlowSession) -> Vec<&'static str> {
    session
        .document_types
        .offered()
        .into_iter()
        .map(|t| t.as_str())
        .collect()
}

/// `{type: {country: sides}}` for the offered types, for the country list of the page.
fn supported(types: &[&str]) -> String {
    let table = clearance_core::static_data::supported_documents();
    let mut out = Map::new();
    for ty in types {
        let countries: Map<String, Value> = table
            .countries("document_check", ty)
            .into_iter()
            .map(|(country, sides)| (country.to_string(), Value::from(sides)))
            .collect();
        out.insert((*ty).to_string(), Value::Object(countries));
    }
    Value::Object(out).to_string()
}

/// The steps, in order, for the progress list.
fn steps(needs: Needs) -> Vec<&'static str> {
    let mut steps = vec!["consent"];
    if needs.document {
        steps.extend(["document", "front", "back"]);
    }
    if needs.address_document {
        steps.push("address");
    }
    if needs.selfie {
        steps.push("selfie");
    }
    if needs.video {
        steps.push("video");
    }
    steps.push("review");
    steps
}

/// The page for a live session.
pub fn flow_page(session: &FlowSession, t: &Catalogue) -> String {
    let needs = session.needs();
    let upload = session.allow_document_upload;
    let capture = if upload {
        format!("{CAPTURE}{UPLOAD}")
    } else {
        CAPTURE.to_string()
    };
    let types = offered_types(session);
    let screening = session.screens();
    // Pass 1: our own fragments, which carry catalogue keys but no user data.
    let page = fill(PAGE, |name| match name {
        "capture" => Some(capture.clone()),
        "capture_camera" => Some(CAPTURE.to_string()),
        _ => None,
    });
    let page = section(page, "document", needs.document);
    let page = section(page, "address", needs.address_document);
    let page = section(page, "selfie", needs.selfie);
    let page = section(page, "video", needs.video);
    let progress: String = steps(needs)
        .iter()
        .filter(|s| **s != "back")
        .map(|s| {
            format!(
                "<li data-for=\"{s}\">{}</li>",
                escape(t.get(&format!("step_{s}")))
            )
        })
        .collect();
    let asks: String = [
        (needs.document, "ask_document"),
        (needs.address_document, "ask_address"),
        (needs.selfie, "ask_selfie"),
        (needs.video, "ask_video"),
        (screening, "ask_screening"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, key)| format!("<li>{}</li>", escape(t.get(key))))
    .collect();
    let doc_choices: String = types
        .iter()
        .enumerate()
        .map(|(i, ty)| {
            format!(
                "<label class=\"choice\"><input type=\"radio\" name=\"doc-type\" value=\"{ty}\"{}> <span>{}</span></label>",
                if i == 0 { " checked" } else { "" },
                escape(t.get(&format!("doc_{ty}")))
            )
        })
        .collect();
    let address_choices: String = ADDRESS_DOCUMENT_TYPES
        .iter()
        .map(|ty| ty.as_str())
        .map(|ty| {
            format!(
                "<option value=\"{ty}\">{}</option>",
                escape(t.get(&format!("doc_{ty}")))
            )
        })
        .collect();
    let support = match session.support_email.as_deref() {
        None => String::new(),
        Some(email) => format!(
            "<p class=\"fine\">{} <a href=\"mailto:{1}\">{1}</a></p>",
            escape(t.get("support")),
            escape(email)
        ),
    };
    let flag = |on: bool| if on { "true" } else { "false" }.to_string();
    fill(&page, |name| {
        if let Some(key) = name.strip_prefix("t:") {
            return Some(escape(t.get(key)));
        }
        Some(match name {
            "lang" => escape(t.lang()),
            "theme" => escape(session.theme.as_str()),
            "success_url" => escape(&session.success_url),
            "cancel_url" => escape(&session.cancel_url),
            "allow_upload" => flag(upload),
            "doc_types" => types.join(" "),
            "supported" => escape(&supported(&types)),
            "need_document" => flag(needs.document),
            "need_address" => flag(needs.address_document),
            "need_selfie" => flag(needs.selfie),
            "need_video" => flag(needs.video),
            "progress" => progress.clone(),
            "asks" => asks.clone(),
            "doc_type_choices" => doc_choices.clone(),
            "address_type_choices" => address_choices.clone(),
            "support" => support.clone(),
            _ => return None,
        })
    })
}

/// The page for a link that no longer (or never did) open a session.
pub fn gone_page(t: &Catalogue, title_key: &str, text_key: &str) -> String {
    fill(GONE, |name| {
        Some(match name {
            "lang" => escape(t.lang()),
            "title" => escape(t.get(title_key)),
            "text" => escape(t.get(text_key)),
            _ => return None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_does_not_rescan_inserted_text() {
        let out = fill("a {{x}} b {{y}} {{unknown}}", |n| match n {
            "x" => Some("{{y}}".into()),
            "y" => Some("Y".into()),
            _ => None,
        });
        assert_eq!(out, "a {{y}} b Y {{unknown}}");
    }

    #[test]
    fn sections_are_kept_or_dropped() {
        let page = "a<!--if:s-->b<!--end:s-->c".to_string();
        assert_eq!(section(page.clone(), "s", true), "abc");
        assert_eq!(section(page, "s", false), "ac");
    }

    #[test]
    fn user_text_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">'&"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;"
        );
    }
}
