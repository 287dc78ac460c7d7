//! The network's datasets as one DCAT-AP.de catalog (RDF built with Oxigraph's `oxrdf`,
//! written as Turtle by `oxttl` and as JSON-LD by `oxjsonld`), and reading other
//! catalogs (Turtle, RDF/XML, JSON-LD) for harvesting.

use std::collections::{BTreeMap, HashMap};

use codefor_domain::datasets::{
    self as vocab, Distribution, FILE_TYPES, FREQUENCIES, Fields, LEVEL_MUNICIPALITY, LEVEL_STATE,
    MUNICIPALITY_KEY_BASE, STATE_KEY_BASE, THEMES,
};
use codefor_storage::datasets::Dataset;
use codefor_storage::{Db, DbError};
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{BlankNode, GraphNameRef, Literal, NamedNode, NamedOrBlankNode, Term, Triple};

/// The namespaces the catalog uses, with the prefixes it is written with.
pub const PREFIXES: &[(&str, &str)] = &[
    ("dcat", DCAT),
    ("dct", DCT),
    ("dcatde", DCATDE),
    ("foaf", FOAF),
    ("vcard", VCARD),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];

pub const DCAT: &str = "http://www.w3.org/ns/dcat#";
pub const DCT: &str = "http://purl.org/dc/terms/";
pub const DCATDE: &str = "http://dcat-ap.de/def/dcatde/";
pub const FOAF: &str = "http://xmlns.com/foaf/0.1/";
pub const VCARD: &str = "http://www.w3.org/2006/vcard/ns#";
const SCHEMA: &str = "http://schema.org/";
const IANA: &str = "http://www.iana.org/assignments/media-types/";
const LANGUAGE_DEU: &str = "http://publications.europa.eu/resource/authority/language/DEU";
const THEME_SCHEME: &str = "http://publications.europa.eu/resource/authority/data-theme";
/// The licence of the catalog's own metadata (the network's content licence).
const CATALOG_LICENCE: &str = "cc-by/4.0";

fn iri(base: &str, local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{base}{local}"))
}

/// The builder's view: triples in the order they are added.
struct Graph(Vec<Triple>);

impl Graph {
    fn add(&mut self, s: impl Into<NamedOrBlankNode>, p: NamedNode, o: impl Into<Term>) {
        self.0.push(Triple::new(s, p, o));
    }

    fn text(&mut self, s: &NamedOrBlankNode, p: NamedNode, value: &str) {
        if !value.is_empty() {
            self.add(s.clone(), p, Literal::new_simple_literal(value));
        }
    }

    fn german(&mut self, s: &NamedOrBlankNode, p: NamedNode, value: &str) {
        if !value.is_empty() {
            self.add(
                s.clone(),
                p,
                Literal::new_language_tagged_literal_unchecked(value, "de"),
            );
        }
    }

    /// An IRI object; values that are no IRI (never stored, but checked anyway) are left
    /// out with a log line rather than written broken.
    fn link(&mut self, s: &NamedOrBlankNode, p: NamedNode, value: &str) {
        match NamedNode::new(value) {
            Ok(o) => self.add(s.clone(), p, o),
            Err(e) => tracing::warn!(value, error = %e, "not an IRI; left out of the catalog"),
        }
    }

    /// A date (`xsd:date`) or a date and time (`xsd:dateTime`).
    fn date(&mut self, s: &NamedOrBlankNode, p: NamedNode, value: &str) {
        let datatype = if value.len() == 10 {
            xsd::DATE
        } else {
            xsd::DATE_TIME
        };
        self.add(
            s.clone(),
            p,
            Literal::new_typed_literal(value, datatype.into_owned()),
        );
    }
}

/// The IRI of a dataset in the catalog: its page.
pub fn dataset_iri(origin: &str, slug: &str) -> String {
    format!("{origin}/daten/{slug}/")
}

/// The network's catalog of every dataset, as RDF triples. `origin` is the site's
/// origin (`https://codefor.de`), which every IRI of ours starts with.
pub async fn catalog(db: &Db, origin: &str) -> Result<Vec<Triple>, DbError> {
    let datasets = codefor_storage::datasets::all(db).await?;
    let modified = codefor_storage::datasets::last_change(db).await?;
    Ok(catalog_of(&datasets, origin, modified.as_deref()))
}

/// The catalog of `datasets` (pure; [`catalog`] reads them).
pub fn catalog_of(datasets: &[Dataset], origin: &str, modified: Option<&str>) -> Vec<Triple> {
    let origin = origin.trim_end_matches('/');
    let mut g = Graph(Vec::new());
    let cat: NamedOrBlankNode = NamedNode::new_unchecked(format!("{origin}/daten/")).into();
    let network: NamedOrBlankNode =
        NamedNode::new_unchecked(format!("{origin}/#code-for-germany")).into();
    g.add(cat.clone(), rdf::TYPE.into_owned(), iri(DCAT, "Catalog"));
    g.german(
        &cat,
        iri(DCT, "title"),
        "Datensätze des Code-for-Germany-Netzwerks",
    );
    g.german(
        &cat,
        iri(DCT, "description"),
        "Die Datensätze, die die Labs von Code for Germany veröffentlichen oder nutzen, \
         beschrieben nach DCAT-AP.de.",
    );
    g.add(cat.clone(), iri(DCT, "publisher"), network.clone());
    g.add(network.clone(), rdf::TYPE.into_owned(), iri(FOAF, "Agent"));
    g.text(&network, iri(FOAF, "name"), "Code for Germany");
    g.link(&cat, iri(FOAF, "homepage"), &format!("{origin}/"));
    g.add(
        cat.clone(),
        iri(DCT, "language"),
        NamedNode::new_unchecked(LANGUAGE_DEU),
    );
    g.add(
        cat.clone(),
        iri(DCT, "license"),
        NamedNode::new_unchecked(vocab::licence_uri(CATALOG_LICENCE)),
    );
    g.add(
        cat.clone(),
        iri(DCAT, "themeTaxonomy"),
        NamedNode::new_unchecked(THEME_SCHEME),
    );
    if let Some(m) = modified {
        g.date(&cat, iri(DCT, "modified"), m);
    }
    // A publisher of several datasets is described once.
    let mut publishers = std::collections::HashSet::new();
    for d in datasets {
        let node: NamedOrBlankNode = NamedNode::new_unchecked(dataset_iri(origin, &d.slug)).into();
        g.add(cat.clone(), iri(DCAT, "dataset"), node.clone());
        dataset(&mut g, origin, d, &node, &mut publishers);
    }
    g.0
}

fn dataset(
    g: &mut Graph,
    origin: &str,
    d: &Dataset,
    node: &NamedOrBlankNode,
    publishers: &mut std::collections::HashSet<String>,
) {
    let f = &d.fields;
    g.add(node.clone(), rdf::TYPE.into_owned(), iri(DCAT, "Dataset"));
    g.german(node, iri(DCT, "title"), &f.title);
    g.german(node, iri(DCT, "description"), &f.description);
    let identifier = d
        .source_uri
        .clone()
        .unwrap_or_else(|| dataset_iri(origin, &d.slug));
    g.text(node, iri(DCT, "identifier"), &identifier);
    for t in &f.themes {
        if vocab::theme(t).is_some() {
            g.add(node.clone(), iri(DCAT, "theme"), iri(vocab::THEMES_BASE, t));
        }
    }
    for k in &f.keywords {
        g.german(node, iri(DCAT, "keyword"), k);
    }
    // The publisher: an organization of ours, or the lab itself.
    let (publisher_iri, publisher_name) = match &d.organization {
        Some((slug, name)) => (format!("{origin}/organisationen/{slug}/"), name.as_str()),
        None => (format!("{origin}/{}/", d.lab_slug), d.lab_name.as_str()),
    };
    let publisher: NamedOrBlankNode = NamedNode::new_unchecked(publisher_iri.clone()).into();
    g.add(node.clone(), iri(DCT, "publisher"), publisher.clone());
    if publishers.insert(publisher_iri) {
        g.add(
            publisher.clone(),
            rdf::TYPE.into_owned(),
            iri(FOAF, "Agent"),
        );
        g.text(&publisher, iri(FOAF, "name"), publisher_name);
    }
    // The contact point.
    if !f.contact_name.is_empty() || f.contact_email.is_some() || f.contact_url.is_some() {
        // Blank node labels from the dataset's id, so the same catalog reads the same.
        let contact: NamedOrBlankNode = BlankNode::new_unchecked(format!("kontakt{}", d.id)).into();
        g.add(node.clone(), iri(DCAT, "contactPoint"), contact.clone());
        g.add(
            contact.clone(),
            rdf::TYPE.into_owned(),
            iri(VCARD, "Organization"),
        );
        let name = if f.contact_name.is_empty() {
            d.lab_name.as_str()
        } else {
            f.contact_name.as_str()
        };
        g.text(&contact, iri(VCARD, "fn"), name);
        if let Some(e) = &f.contact_email {
            g.link(&contact, iri(VCARD, "hasEmail"), &format!("mailto:{e}"));
        }
        if let Some(u) = &f.contact_url {
            g.link(&contact, iri(VCARD, "hasURL"), u);
        }
    }
    // Where: the most specific political geocoding names the level.
    let mut level = None;
    if let Some(s) = &f.state_key {
        let uri = iri(STATE_KEY_BASE, s);
        g.add(node.clone(), iri(DCT, "spatial"), uri.clone());
        g.add(node.clone(), iri(DCATDE, "politicalGeocodingURI"), uri);
        level = Some(LEVEL_STATE);
    }
    if let Some(a) = &f.ags {
        let uri = iri(MUNICIPALITY_KEY_BASE, a);
        g.add(node.clone(), iri(DCT, "spatial"), uri.clone());
        g.add(node.clone(), iri(DCATDE, "politicalGeocodingURI"), uri);
        level = Some(LEVEL_MUNICIPALITY);
    }
    if let Some(l) = level {
        g.add(
            node.clone(),
            iri(DCATDE, "politicalGeocodingLevelURI"),
            NamedNode::new_unchecked(l),
        );
    }
    // When.
    if f.temporal_start.is_some() || f.temporal_end.is_some() {
        let period: NamedOrBlankNode = BlankNode::new_unchecked(format!("zeitraum{}", d.id)).into();
        g.add(node.clone(), iri(DCT, "temporal"), period.clone());
        g.add(
            period.clone(),
            rdf::TYPE.into_owned(),
            iri(DCT, "PeriodOfTime"),
        );
        if let Some(s) = &f.temporal_start {
            g.date(&period, iri(DCAT, "startDate"), s);
        }
        if let Some(e) = &f.temporal_end {
            g.date(&period, iri(DCAT, "endDate"), e);
        }
    }
    if let Some(fr) = &f.frequency {
        g.add(
            node.clone(),
            iri(DCT, "accrualPeriodicity"),
            iri(vocab::FREQUENCIES_BASE, fr),
        );
    }
    if let Some(i) = &f.issued {
        g.date(node, iri(DCT, "issued"), i);
    }
    if let Some(m) = &f.modified {
        g.date(node, iri(DCT, "modified"), m);
    }
    if let Some(l) = &f.landing_page {
        g.link(node, iri(DCAT, "landingPage"), l);
    }
    g.link(node, iri(DCT, "license"), &f.licence);
    for (n, dist) in f.distributions.iter().enumerate() {
        let dn: NamedOrBlankNode = NamedNode::new_unchecked(format!(
            "{}#distribution-{}",
            dataset_iri(origin, &d.slug),
            n + 1
        ))
        .into();
        g.add(node.clone(), iri(DCAT, "distribution"), dn.clone());
        distribution(g, f, dist, &dn);
    }
}

fn distribution(g: &mut Graph, f: &Fields, d: &Distribution, node: &NamedOrBlankNode) {
    g.add(
        node.clone(),
        rdf::TYPE.into_owned(),
        iri(DCAT, "Distribution"),
    );
    g.german(node, iri(DCT, "title"), &d.title);
    g.link(node, iri(DCAT, "accessURL"), &d.access_url);
    if let Some(u) = &d.download_url {
        g.link(node, iri(DCAT, "downloadURL"), u);
    }
    if let Some(fmt) = &d.format {
        g.add(
            node.clone(),
            iri(DCT, "format"),
            iri(vocab::FILE_TYPES_BASE, fmt),
        );
    }
    if let Some(m) = &d.media_type {
        g.link(node, iri(DCAT, "mediaType"), &format!("{IANA}{m}"));
    }
    g.link(
        node,
        iri(DCT, "license"),
        d.licence.as_deref().unwrap_or(&f.licence),
    );
}

/// Why a catalog could not be written.
#[derive(Debug, thiserror::Error)]
#[error("writing the catalog: {0}")]
pub struct WriteError(#[from] std::io::Error);

/// The triples as Turtle, with the catalog's prefixes.
pub fn to_turtle(triples: &[Triple]) -> Result<Vec<u8>, WriteError> {
    let mut s = oxttl::TurtleSerializer::new();
    for (p, ns) in PREFIXES {
        s = s
            .with_prefix(*p, *ns)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    let mut w = s.for_writer(Vec::new());
    for t in by_subject(triples) {
        w.serialize_triple(t)?;
    }
    Ok(w.finish()?)
}

/// The triples with those of one subject together (in the order subjects first appear),
/// so the streaming writers describe each subject once.
fn by_subject(triples: &[Triple]) -> Vec<&Triple> {
    let mut groups: Vec<Vec<&Triple>> = Vec::new();
    let mut index: HashMap<&NamedOrBlankNode, usize> = HashMap::new();
    for t in triples {
        let i = *index.entry(&t.subject).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[i].push(t);
    }
    groups.into_iter().flatten().collect()
}

/// The triples as JSON-LD (expanded IRIs shortened by the catalog's prefixes in its
/// `@context`), one node object per subject.
pub fn to_jsonld(triples: &[Triple]) -> Result<Vec<u8>, WriteError> {
    let mut s = oxjsonld::JsonLdSerializer::new();
    for (p, ns) in PREFIXES {
        s = s
            .with_prefix(*p, *ns)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    // The serializer streams: triples of one subject together make one node object.
    let mut w = s.for_writer(Vec::new());
    for t in by_subject(triples) {
        w.serialize_quad(t.as_ref().in_graph(GraphNameRef::DefaultGraph))?;
    }
    Ok(w.finish()?)
}

/// The RDF syntaxes harvesting reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Turtle,
    RdfXml,
    JsonLd,
}

impl Syntax {
    /// By the media type the server named, else by the URL's extension, else by the first
    /// character of the text (servers often say `text/plain` or
    /// `application/octet-stream` for any file: those decide nothing).
    pub fn guess(url: &str, content_type: Option<&str>, text: &str) -> Syntax {
        match content_type {
            // N-Triples is a subset of Turtle.
            Some("text/turtle" | "application/x-turtle" | "application/n-triples") => {
                return Syntax::Turtle;
            }
            Some("application/rdf+xml" | "application/xml" | "text/xml") => {
                return Syntax::RdfXml;
            }
            Some("application/ld+json") => return Syntax::JsonLd,
            _ => {}
        }
        let path = url
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if path.ends_with(".ttl") {
            return Syntax::Turtle;
        }
        if path.ends_with(".rdf") || path.ends_with(".xml") || path.ends_with(".owl") {
            return Syntax::RdfXml;
        }
        if path.ends_with(".jsonld") || path.ends_with(".json") {
            return Syntax::JsonLd;
        }
        match text.trim_start().chars().next() {
            Some('{' | '[') => Syntax::JsonLd,
            Some('<') if !text.trim_start().starts_with("<http") => Syntax::RdfXml,
            _ => Syntax::Turtle,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Syntax::Turtle => "Turtle",
            Syntax::RdfXml => "RDF/XML",
            Syntax::JsonLd => "JSON-LD",
        }
    }
}

/// Parses an RDF document; the error is a German sentence naming the syntax and the
/// parser's message.
pub fn parse(text: &str, base: &str, syntax: Syntax) -> Result<Vec<Triple>, String> {
    let fail = |e: String| {
        format!(
            "Der Katalog ließ sich als {} nicht lesen: {e}",
            syntax.name()
        )
    };
    let mut out = Vec::new();
    match syntax {
        Syntax::Turtle => {
            let p = oxttl::TurtleParser::new()
                .with_base_iri(base)
                .map_err(|e| fail(e.to_string()))?;
            for t in p.for_slice(text.as_bytes()) {
                out.push(t.map_err(|e| fail(e.to_string()))?);
            }
        }
        Syntax::RdfXml => {
            let p = oxrdfxml::RdfXmlParser::new()
                .with_base_iri(base)
                .map_err(|e| fail(e.to_string()))?;
            for t in p.for_slice(text.as_bytes()) {
                out.push(t.map_err(|e| fail(e.to_string()))?);
            }
        }
        Syntax::JsonLd => {
            let p = oxjsonld::JsonLdParser::new()
                .with_base_iri(base)
                .map_err(|e| fail(e.to_string()))?;
            for q in p.for_slice(text.as_bytes()) {
                let q = q.map_err(|e| fail(e.to_string()))?;
                if q.graph_name.is_default_graph() {
                    out.push(Triple::new(q.subject, q.predicate, q.object));
                }
            }
        }
    }
    Ok(out)
}

/// A dataset read from another catalog, before it is checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Harvested {
    /// Its dct:identifier, else its IRI; `None` for a blank node without identifier.
    pub source: Option<String>,
    /// How the report names it: its title, else its source.
    pub label: String,
    pub fields: Fields,
    /// The foaf:name of its publisher.
    pub publisher_name: Option<String>,
    /// What could not be taken over as it is (a licence outside the vocabulary, a
    /// distribution without access URL): the dataset is skipped with these reasons.
    pub problems: Vec<String>,
}

/// The statements about each subject.
struct Index<'a>(HashMap<&'a NamedOrBlankNode, BTreeMap<&'a str, Vec<&'a Term>>>);

impl<'a> Index<'a> {
    fn new(triples: &'a [Triple]) -> Index<'a> {
        let mut map: HashMap<&NamedOrBlankNode, BTreeMap<&str, Vec<&Term>>> = HashMap::new();
        for t in triples {
            map.entry(&t.subject)
                .or_default()
                .entry(t.predicate.as_str())
                .or_default()
                .push(&t.object);
        }
        Index(map)
    }

    fn all(&self, s: &NamedOrBlankNode, p: &str) -> &[&'a Term] {
        self.0
            .get(s)
            .and_then(|m| m.get(p))
            .map_or(&[], Vec::as_slice)
    }

    /// A literal's text; German first, then without language, then any.
    fn text(&self, s: &NamedOrBlankNode, p: &str) -> Option<String> {
        let literals: Vec<&Literal> = self
            .all(s, p)
            .iter()
            .filter_map(|t| match t {
                Term::Literal(l) => Some(l),
                _ => None,
            })
            .collect();
        literals
            .iter()
            .find(|l| l.language().is_some_and(|g| g.starts_with("de")))
            .or_else(|| literals.iter().find(|l| l.language().is_none()))
            .or_else(|| literals.first())
            .map(|l| l.value().trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// IRIs (and, for properties that are sometimes given as text, literal values).
    fn links(&self, s: &NamedOrBlankNode, p: &str) -> Vec<String> {
        self.all(s, p)
            .iter()
            .filter_map(|t| match t {
                Term::NamedNode(n) => Some(n.as_str().to_owned()),
                Term::Literal(l) => Some(l.value().trim().to_owned()),
                _ => None,
            })
            .collect()
    }

    fn node(&self, s: &NamedOrBlankNode, p: &str) -> Option<NamedOrBlankNode> {
        self.all(s, p).iter().find_map(|t| match t {
            Term::NamedNode(n) => Some(NamedOrBlankNode::NamedNode(n.clone())),
            Term::BlankNode(b) => Some(NamedOrBlankNode::BlankNode(b.clone())),
            _ => None,
        })
    }

    fn is_a(&self, s: &NamedOrBlankNode, class: &str) -> bool {
        self.all(s, rdf::TYPE.as_str())
            .iter()
            .any(|t| matches!(t, Term::NamedNode(n) if n.as_str() == class))
    }
}

/// A date (the first ten characters of a date or date-time).
fn date_of(value: Option<String>) -> Option<String> {
    value.map(|v| v.chars().take(10).collect())
}

/// Every dcat:Dataset of a parsed catalog, mapped to our fields.
pub fn datasets_in(triples: &[Triple]) -> Vec<Harvested> {
    let index = Index::new(triples);
    let dataset_class = format!("{DCAT}Dataset");
    let mut subjects: Vec<&NamedOrBlankNode> = index
        .0
        .keys()
        .copied()
        .filter(|s| index.is_a(s, &dataset_class))
        .collect();
    subjects.sort_by_key(|s| s.to_string());
    subjects.into_iter().map(|s| harvested(&index, s)).collect()
}

fn harvested(ix: &Index<'_>, s: &NamedOrBlankNode) -> Harvested {
    let p = |local: &str| format!("{DCT}{local}");
    let d = |local: &str| format!("{DCAT}{local}");
    let mut problems = Vec::new();
    let source = ix.text(s, &p("identifier")).or_else(|| match s {
        NamedOrBlankNode::NamedNode(n) => Some(n.as_str().to_owned()),
        NamedOrBlankNode::BlankNode(_) => None,
    });
    let title = ix.text(s, &p("title")).unwrap_or_default();
    let label = if title.is_empty() {
        source
            .clone()
            .unwrap_or_else(|| "(ohne Titel und Kennung)".to_owned())
    } else {
        title.clone()
    };
    // Licence: the dataset's, else the first distribution's.
    let licence_of = |node: &NamedOrBlankNode, problems: &mut Vec<String>| {
        ix.links(node, &p("license"))
            .into_iter()
            .next()
            .map(|l| match vocab::licence(&l) {
                Some(c) => vocab::licence_uri(c.code),
                None => {
                    problems.push(format!(
                        "Die Lizenz „{l}“ gehört nicht zum DCAT-AP.de-Lizenzvokabular."
                    ));
                    l
                }
            })
    };
    let mut distributions = Vec::new();
    let mut dist_nodes: Vec<NamedOrBlankNode> = ix
        .all(s, &d("distribution"))
        .iter()
        .filter_map(|t| match t {
            Term::NamedNode(n) => Some(NamedOrBlankNode::NamedNode(n.clone())),
            Term::BlankNode(b) => Some(NamedOrBlankNode::BlankNode(b.clone())),
            _ => None,
        })
        .collect();
    // RDF has no order, and blank nodes get new names on every parse: sort by access URL
    // (then by name), so a harvest keeps the same distributions every time.
    dist_nodes.sort_by_cached_key(|n| {
        let access = ix.links(n, &d("accessURL")).into_iter().next();
        (access, n.to_string())
    });
    let mut first_dist_licence = None;
    for (n, node) in dist_nodes.iter().enumerate() {
        let Some(access_url) = ix.links(node, &d("accessURL")).into_iter().next() else {
            problems.push(format!(
                "Der Distribution {} fehlt die Zugangs-URL (dcat:accessURL).",
                n + 1
            ));
            continue;
        };
        let licence = licence_of(node, &mut problems);
        if first_dist_licence.is_none() {
            first_dist_licence.clone_from(&licence);
        }
        distributions.push(Distribution {
            title: ix.text(node, &p("title")).unwrap_or_default(),
            access_url,
            download_url: ix.links(node, &d("downloadURL")).into_iter().next(),
            format: ix.links(node, &p("format")).into_iter().find_map(|f| {
                vocab::code_of(FILE_TYPES, vocab::FILE_TYPES_BASE, &f).map(str::to_owned)
            }),
            media_type: ix.links(node, &d("mediaType")).into_iter().next().map(|m| {
                m.strip_prefix(IANA)
                    .or_else(|| m.strip_prefix("https://www.iana.org/assignments/media-types/"))
                    .unwrap_or(&m)
                    .to_owned()
            }),
            licence,
        });
    }
    let licence = licence_of(s, &mut problems)
        .or(first_dist_licence)
        .unwrap_or_default();
    // What DCAT-AP.de makes mandatory, named in its terms.
    let description = ix.text(s, &p("description")).unwrap_or_default();
    if title.is_empty() {
        problems.push("Der Datensatz hat keinen Titel (dct:title).".to_owned());
    }
    if description.is_empty() {
        problems.push("Der Datensatz hat keine Beschreibung (dct:description).".to_owned());
    }
    if licence.is_empty() {
        problems.push(
            "Weder der Datensatz noch eine Distribution nennt eine Lizenz (dct:license)."
                .to_owned(),
        );
    }
    // Distributions under the dataset's licence say so by leaving it out.
    for dist in &mut distributions {
        if dist.licence.as_deref() == Some(licence.as_str()) {
            dist.licence = None;
        }
    }
    let themes = ix
        .links(s, &d("theme"))
        .iter()
        .filter_map(|t| vocab::code_of(THEMES, vocab::THEMES_BASE, t).map(str::to_owned))
        .collect();
    let mut keywords: Vec<String> = Vec::new();
    for t in ix.all(s, &d("keyword")) {
        if let Term::Literal(l) = t {
            let k = l.value().trim().to_owned();
            if !k.is_empty() && !keywords.contains(&k) {
                keywords.push(k);
            }
        }
    }
    // Where: DCAT-AP.de's political geocoding, in either property.
    let mut state_key = None;
    let mut ags = None;
    for uri in ix
        .links(s, &format!("{DCATDE}politicalGeocodingURI"))
        .into_iter()
        .chain(ix.links(s, &p("spatial")))
    {
        if let Some(k) = uri.strip_prefix(STATE_KEY_BASE) {
            state_key.get_or_insert_with(|| k.to_owned());
        } else if let Some(a) = uri.strip_prefix(MUNICIPALITY_KEY_BASE) {
            ags.get_or_insert_with(|| a.to_owned());
        }
    }
    let (temporal_start, temporal_end) = match ix.node(s, &p("temporal")) {
        Some(period) => (
            date_of(
                ix.text(&period, &d("startDate"))
                    .or_else(|| ix.text(&period, &format!("{SCHEMA}startDate"))),
            ),
            date_of(
                ix.text(&period, &d("endDate"))
                    .or_else(|| ix.text(&period, &format!("{SCHEMA}endDate"))),
            ),
        ),
        None => (None, None),
    };
    let (contact_name, contact_email, contact_url) = match ix.node(s, &d("contactPoint")) {
        Some(c) => (
            ix.text(&c, &format!("{VCARD}fn")).unwrap_or_default(),
            ix.links(&c, &format!("{VCARD}hasEmail"))
                .into_iter()
                .next()
                .map(|e| e.trim_start_matches("mailto:").to_owned()),
            ix.links(&c, &format!("{VCARD}hasURL")).into_iter().next(),
        ),
        None => (String::new(), None, None),
    };
    let publisher_name = ix
        .node(s, &p("publisher"))
        .and_then(|a| ix.text(&a, &format!("{FOAF}name")));
    let frequency = ix
        .links(s, &p("accrualPeriodicity"))
        .iter()
        .find_map(|f| vocab::code_of(FREQUENCIES, vocab::FREQUENCIES_BASE, f).map(str::to_owned));
    Harvested {
        source,
        label,
        fields: Fields {
            relation: "publishes".to_owned(),
            title,
            description,
            organization_id: None,
            licence,
            themes,
            keywords,
            state_key,
            ags,
            temporal_start,
            temporal_end,
            contact_name,
            contact_email,
            contact_url,
            landing_page: ix.links(s, &d("landingPage")).into_iter().next(),
            frequency,
            issued: ix.text(s, &p("issued")),
            modified: ix.text(s, &p("modified")),
            distributions,
        },
        publisher_name,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Dataset {
        Dataset {
            id: 1,
            slug: "baeume".into(),
            lab_id: 1,
            lab_slug: "berlin".into(),
            lab_name: "OK Lab Berlin".into(),
            fields: Fields {
                relation: "publishes".into(),
                title: "Bäume & „Straßen“ <Berlin>".into(),
                description: "Alle *Bäume*.".into(),
                licence: vocab::licence_uri("dl-by-de/2.0"),
                themes: vec!["ENVI".into()],
                keywords: vec!["Bäume".into()],
                state_key: Some("11".into()),
                ags: Some("11000000".into()),
                temporal_start: Some("2020-01-01".into()),
                temporal_end: Some("2024-12-31".into()),
                contact_name: "Lab".into(),
                contact_email: Some("lab@example.org".into()),
                contact_url: None,
                landing_page: Some("https://example.org/baeume".into()),
                frequency: Some("ANNUAL".into()),
                issued: Some("2020-02-01".into()),
                modified: Some("2024-01-01T10:00:00Z".into()),
                distributions: vec![Distribution {
                    title: "CSV".into(),
                    access_url: "https://example.org/baeume.csv".into(),
                    download_url: Some("https://example.org/baeume.csv".into()),
                    format: Some("CSV".into()),
                    media_type: Some("text/csv".into()),
                    licence: None,
                }],
                ..Fields::default()
            },
            description_html: String::new(),
            organization: None,
            source_uri: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn turtle_and_jsonld_read_back_to_the_same_datasets() {
        let triples = catalog_of(&[sample()], "https://codefor.de", Some("2024-01-01"));
        let ttl = to_turtle(&triples).unwrap();
        let jsonld = to_jsonld(&triples).unwrap();
        let ttl = String::from_utf8(ttl).unwrap();
        assert!(ttl.contains("@prefix dcat:"), "{ttl}");
        let from_ttl = parse(&ttl, "https://codefor.de/catalog.ttl", Syntax::Turtle).unwrap();
        let from_json = parse(
            std::str::from_utf8(&jsonld).unwrap(),
            "https://codefor.de/catalog.jsonld",
            Syntax::JsonLd,
        )
        .unwrap();
        assert_eq!(from_ttl.len(), triples.len());
        assert_eq!(from_json.len(), triples.len());
        let a = datasets_in(&from_ttl);
        let b = datasets_in(&from_json);
        assert_eq!(a.len(), 1);
        assert_eq!(a, b);
        let h = &a[0];
        assert!(h.problems.is_empty(), "{:?}", h.problems);
        let mut expected = sample().fields;
        expected.modified = Some("2024-01-01T10:00:00Z".into());
        assert_eq!(h.fields, expected);
        assert_eq!(h.publisher_name.as_deref(), Some("OK Lab Berlin"));
        assert_eq!(
            h.source.as_deref(),
            Some("https://codefor.de/daten/baeume/")
        );
    }

    #[test]
    fn syntax_by_media_type_then_extension_then_content() {
        assert_eq!(Syntax::guess("https://x/c.ttl", None, "{"), Syntax::Turtle);
        assert_eq!(Syntax::guess("https://x/c.rdf?x", None, ""), Syntax::RdfXml);
        assert_eq!(
            Syntax::guess("https://x/c", None, " {\"@graph\""),
            Syntax::JsonLd
        );
        assert_eq!(Syntax::guess("https://x/c", None, "<?xml"), Syntax::RdfXml);
        // The server's media type comes first; a generic one decides nothing.
        let turtle = "<urn:katalog> a <http://www.w3.org/ns/dcat#Catalog> .";
        assert_eq!(Syntax::guess("https://x/c", None, turtle), Syntax::RdfXml);
        assert_eq!(
            Syntax::guess("https://x/c", Some("text/turtle"), turtle),
            Syntax::Turtle
        );
        assert_eq!(
            Syntax::guess("https://x/c.xml", Some("application/ld+json"), "{"),
            Syntax::JsonLd
        );
        assert_eq!(
            Syntax::guess("https://x/c", Some("application/rdf+xml"), "<?xml"),
            Syntax::RdfXml
        );
        assert_eq!(
            Syntax::guess("https://x/c.ttl", Some("text/plain"), "<x>"),
            Syntax::Turtle
        );
        assert_eq!(
            Syntax::guess("https://x/c", Some("application/n-triples"), turtle),
            Syntax::Turtle
        );
        assert_eq!(
            Syntax::guess("https://x/c", None, "<http://a> <http://b> 1 ."),
            Syntax::Turtle
        );
        assert_eq!(
            Syntax::guess("https://x/c", None, "@prefix"),
            Syntax::Turtle
        );
    }

    #[test]
    fn unknown_licences_and_missing_access_urls_are_named() {
        let ttl = r#"@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
<https://x/d1> a dcat:Dataset ; dct:title "Eins" ; dct:description "d" ; dct:license <https://example.org/frei> ;
  dcat:distribution [ a dcat:Distribution ; dct:title "ohne" ] .
"#;
        let t = parse(ttl, "https://x/", Syntax::Turtle).unwrap();
        let h = datasets_in(&t);
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].problems.len(), 2, "{:?}", h[0].problems);
        assert!(h[0].problems[0].contains("Zugangs-URL"));
        assert!(h[0].problems[1].contains("https://example.org/frei"));
        let untitled = parse(
            "<https://x/d2> a <http://www.w3.org/ns/dcat#Dataset> .",
            "https://x/",
            Syntax::Turtle,
        )
        .unwrap();
        let h = datasets_in(&untitled);
        assert_eq!(h[0].label, "https://x/d2");
        assert!(
            h[0].problems
                .iter()
                .any(|p| p.contains("keinen Titel (dct:title)"))
        );
        assert!(
            h[0].problems
                .iter()
                .any(|p| p.contains("keine Lizenz") || p.contains("(dct:license)"))
        );
        assert!(
            parse("<a> <b> .", "https://x/", Syntax::Turtle)
                .unwrap_err()
                .contains("Turtle")
        );
    }
}
