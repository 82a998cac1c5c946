//! A small streaming XML reader that hands out one record element at a time as a tiny tree.

use std::io::{BufRead, BufReader, Read};

use quick_xml::events::Event;

use crate::error::{Result, ScreeningError};

/// One XML element with its attributes, text and children (namespaces stripped).
#[derive(Debug, Default, Clone)]
pub(crate) struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }

    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Trimmed text of the first child called `name`, if non-empty.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
    }
}

fn local(name: &[u8]) -> String {
    let s = String::from_utf8_lossy(name);
    match s.rsplit_once(':') {
        Some((_, l)) => l.to_owned(),
        None => s.into_owned(),
    }
}

fn xml_err(file: &str, pos: u64, e: impl std::fmt::Display) -> ScreeningError {
    ScreeningError::Malformed {
        file: file.to_owned(),
        line: pos,
        message: format!("XML error at byte {pos}: {e}"),
    }
}

/// Streams `reader`, calling `on_root` with the root element and `on_record(index, node)` for
/// every element whose name is in `records`. Fails on malformed or truncated XML.
pub(crate) fn stream_records<R: Read>(
    file: &str,
    reader: R,
    records: &[&str],
    mut on_root: impl FnMut(&Node),
    mut on_record: impl FnMut(u64, Node),
) -> Result<u64> {
    let mut xr = quick_xml::Reader::from_reader(BufReader::new(reader));
    xr.config_mut().trim_text(false);
    let mut buf = Vec::new();
    let mut depth: usize = 0;
    let mut stack: Vec<Node> = Vec::new();
    let mut count: u64 = 0;
    let mut saw_root = false;
    loop {
        let pos = xr.buffer_position();
        let ev = xr
            .read_event_into(&mut buf)
            .map_err(|e| xml_err(file, pos, e))?;
        match ev {
            Event::Start(e) => {
                let mut node = Node {
                    name: local(e.name().as_ref()),
                    ..Node::default()
                };
                for a in e.attributes().flatten() {
                    let v = a.unescape_value().map_err(|er| xml_err(file, pos, er))?;
                    node.attrs.push((local(a.key.as_ref()), v.into_owned()));
                }
                if depth == 0 {
                    saw_root = true;
                    on_root(&node);
                }
                depth += 1;
                if !stack.is_empty() || records.contains(&node.name.as_str()) {
                    stack.push(node);
                }
            }
            Event::Empty(e) => {
                if depth == 0 {
                    saw_root = true;
                }
                let mut node = Node {
                    name: local(e.name().as_ref()),
                    ..Node::default()
                };
                for a in e.attributes().flatten() {
                    let v = a.unescape_value().map_err(|er| xml_err(file, pos, er))?;
                    node.attrs.push((local(a.key.as_ref()), v.into_owned()));
                }
                if let Some(top) = stack.last_mut() {
                    top.children.push(node);
                } else if records.contains(&node.name.as_str()) {
                    count += 1;
                    on_record(count, node);
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if let Some(node) = stack.pop() {
                    if let Some(parent) = stack.last_mut() {
                        parent.children.push(node);
                    } else {
                        count += 1;
                        on_record(count, node);
                    }
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    let s = t.unescape().map_err(|er| xml_err(file, pos, er))?;
                    top.text.push_str(&s);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if depth != 0 || !saw_root {
        return Err(ScreeningError::Truncated {
            file: file.to_owned(),
            line: xr.buffer_position(),
            message: if saw_root {
                format!("document ends with {depth} unclosed element(s)")
            } else {
                "no root element".into()
            },
        });
    }
    Ok(count)
}

/// Peeks the first bytes to reject UTF-16 input early.
pub(crate) fn check_head<R: BufRead>(file: &str, r: &mut R) -> Result<()> {
    let head = r.fill_buf()?;
    super::common::reject_utf16(file, head)
}
