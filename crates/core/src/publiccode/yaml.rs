//! The YAML reader: serde-saphyr with tight limits, into a tree whose keys and values
//! know their lines, so that every later problem can name one.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{DuplicateKeyPolicy, Error, Spanned};

use super::Problem;

/// Deeper than any publiccode.yml needs (country sections included), far below what
/// could exhaust the stack.
const MAX_DEPTH: usize = 32;

/// A YAML node and the line it starts on (0 when unknown).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Node {
    pub line: usize,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in file order; duplicate keys are refused while reading.
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entry {
    pub key: String,
    pub key_line: usize,
    pub value: Node,
}

impl Value {
    /// How a volunteer would call this kind of value, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "leer",
            Value::Bool(_) => "ein Wahrheitswert (true/false)",
            Value::Number(_) => "eine Zahl",
            Value::Str(_) => "ein Text",
            Value::Seq(_) => "eine Liste",
            Value::Map(_) => "ein Abschnitt mit Schlüsseln",
        }
    }

    /// Plain JSON, for values kept in [`super::Document::extra`].
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.clone()),
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Seq(items) => items.iter().map(|n| n.value.to_json()).collect(),
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.value.to_json()))
                    .collect(),
            ),
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(d)?;
        Ok(Node {
            line: usize::try_from(spanned.referenced.line()).unwrap_or(0),
            value: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        // Too large for JSON; keep the digits.
        Ok(Value::Str(v.to_string()))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Value, E> {
        Err(E::custom("binary values (!!binary) are not allowed"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            let name = match key.value {
                Value::Str(s) => s,
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                Value::Null => "null".to_owned(),
                Value::Seq(_) | Value::Map(_) => {
                    return Err(de::Error::custom(
                        "a list or mapping cannot be a key (`? [a, b]: …`)",
                    ));
                }
            };
            entries.push(Entry {
                key: name,
                key_line: key.line,
                value,
            });
        }
        Ok(Value::Map(entries))
    }
}

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            flow_nesting_limit: MAX_DEPTH,
            max_documents: 1,
            max_events: 50_000,
            max_nodes: 20_000,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_total_scalar_bytes: 4 * super::MAX_BYTES,
            max_merge_keys: 100,
            max_recorded_anchor_events: 5_000,
            max_recorded_anchor_bytes: 2 * super::MAX_BYTES,
            alias_anchor_min_aliases: 20,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 5_000,
            max_replay_stack_depth: 8,
        },
        duplicate_keys: DuplicateKeyPolicy::Error,
        // YAML 1.2, as the standard asks: `no` and `y` are text (a language, a key), not
        // booleans. `yes`/`no` where a boolean belongs are read with a warning instead.
        strict_booleans: true,
        reject_unsupported_tags: true,
        with_snippet: false,
    }
}

/// Parses one YAML document into a [`Node`] tree, or says in German why not.
pub(super) fn load(text: &str) -> Result<Node, Problem> {
    if text.trim().is_empty() {
        return Err(Problem::error(
            "",
            "Die Datei ist leer. Eine publiccode.yml beginnt mit `publiccodeYmlVersion: \"0.5\"` \
             und nennt darunter die Pflichtangaben.",
        ));
    }
    match serde_saphyr::from_str_with_options::<Node>(text, options()) {
        Ok(node) => Ok(node),
        Err(e) => Err(problem(&e)),
    }
}

fn problem(e: &Error) -> Problem {
    let mut e = e.without_snippet();
    // Errors met while replaying an alias come wrapped; the inner one says what happened.
    while let Error::AliasError { error, .. } = e {
        e = error.without_snippet();
    }
    let line = e
        .location()
        .and_then(|l| usize::try_from(l.line()).ok())
        .filter(|l| *l > 0);
    let (key, message) = match e {
        Error::Budget { breach, .. } => (String::new(), budget_message(breach)),
        Error::AliasReplayLimitExceeded { .. }
        | Error::AliasExpansionLimitExceeded { .. }
        | Error::AliasReplayStackDepthExceeded { .. }
        | Error::AliasReplayCounterOverflow { .. } => (String::new(), ALIASES.to_owned()),
        Error::DuplicateMappingKey { key, .. } => {
            let name = key.clone().unwrap_or_default();
            let message = if name.is_empty() {
                "Ein Schlüssel steht zweimal im selben Abschnitt. Lösche einen der beiden \
                 oder prüfe die Einrückung."
                    .to_owned()
            } else {
                format!(
                    "Der Schlüssel `{name}` steht zweimal im selben Abschnitt. Lösche einen der \
                     beiden oder prüfe die Einrückung: vielleicht gehört einer eine Ebene tiefer."
                )
            };
            (name, message)
        }
        Error::UnsupportedTag { tag, .. } => (
            String::new(),
            format!(
                "Das YAML-Tag `{tag}` ist in einer publiccode.yml nicht erlaubt. Schreibe den \
                 Wert ohne Tag, als einfachen Text, Zahl, Liste oder Abschnitt."
            ),
        ),
        Error::MultipleDocuments { .. } => (
            String::new(),
            "Die Datei enthält mehr als ein YAML-Dokument (getrennt durch `---`). Eine \
             publiccode.yml ist genau ein Dokument: entferne das zweite."
                .to_owned(),
        ),
        Error::UnknownAnchor { .. } => (
            String::new(),
            "Ein Verweis (`*name`) zeigt auf keinen Anker (`&name`). Schreibe den Wert \
             direkt hin."
                .to_owned(),
        ),
        other => {
            let detail = other.to_string();
            let detail = detail.lines().next().unwrap_or("").trim();
            let detail = detail
                .rfind(" at line ")
                .map_or(detail, |at| &detail[..at])
                .to_owned();
            if detail.contains("recursion limit") {
                let mut p = Problem::error("", too_deep());
                p.line = line;
                p.example = Some(super::examples::MINIMAL.to_owned());
                return p;
            }
            let hint = if detail.contains("tab") {
                " Rücke in YAML nur mit Leerzeichen ein, nie mit Tabulatoren."
            } else {
                " Prüfe Einrückung, Doppelpunkte und Anführungszeichen in dieser Zeile und \
                 der davor."
            };
            (
                String::new(),
                format!("Die Datei ist kein gültiges YAML ({detail}).{hint}"),
            )
        }
    };
    let mut problem = Problem::error(key, message);
    problem.line = line;
    if problem.example.is_none() {
        problem.example = Some(super::examples::MINIMAL.to_owned());
    }
    problem
}

const ALIASES: &str = "Die Datei verwendet zu viele YAML-Verweise (`&anker` und `*anker`). \
     Eine publiccode.yml braucht keine: schreibe die Werte direkt hin.";

fn budget_message(breach: &BudgetBreach) -> String {
    match breach {
        BudgetBreach::Aliases { .. }
        | BudgetBreach::Anchors { .. }
        | BudgetBreach::AliasAnchorRatio { .. }
        | BudgetBreach::RecordedAnchorEvents { .. }
        | BudgetBreach::RecordedAnchorBytes { .. }
        | BudgetBreach::MergeKeys { .. } => ALIASES.to_owned(),
        BudgetBreach::Depth { .. } => too_deep(),
        BudgetBreach::Documents { .. } => "Die Datei enthält mehr als ein YAML-Dokument \
             (getrennt durch `---`). Eine publiccode.yml ist genau ein Dokument."
            .to_owned(),
        _ => "Die Datei hat zu viele Einträge, um sie zu lesen. Eine publiccode.yml ist \
              meist nur wenige KiB groß: kürze Listen und Texte."
            .to_owned(),
    }
}

fn too_deep() -> String {
    format!(
        "Die Datei ist tiefer als {MAX_DEPTH} Ebenen verschachtelt. Eine publiccode.yml \
         braucht nur wenige Ebenen: prüfe die Einrückung."
    )
}
