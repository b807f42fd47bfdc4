//! A model as the templates read it, split by its top-level fields (`site`, `risks`,
//! `dashboard`, ...). Each field is hashed and converted for the templates on its own, so
//! that `serve` converts again only the fields a save changed, and a page can be told
//! which fields it read: an index that did not read a changed field is not rendered again.
//! The hashes key the pages; the fields are converted only once a page of the run is
//! rendered (a build that keeps every page converts nothing).

use super::cache::{Readers, hash_of};
use minijinja::Value;
use minijinja::value::{Enumerator, Object, ObjectRepr};
use serde::Serialize;
use serde::ser::{self, Impossible};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

/// Fields converted for the templates, by whose model, field and hash: `serve` keeps them
/// between saves. (By whose model: a public run is only ever given a model converted for
/// a public run.)
pub type FieldData = crate::memo::Memo<(Readers, &'static str, u64), Value>;

/// Hashes of fields made before the model is split (`Hashed::field_hash`), by name.
pub type KnownHashes = [(&'static str, Option<u64>)];

/// A model's fields, hashed, and converted once `convert` has run.
pub struct TemplateModel {
    fields: Vec<Field>,
    /// The model could not be split (it is not a struct): it is converted whole.
    unsplit: bool,
    /// Set once the fields (or the whole model) are converted.
    converted: OnceLock<Option<Value>>,
    /// A hash of every field; `None` when one cannot be hashed.
    pub hash: Option<u64>,
}

struct Field {
    name: &'static str,
    hash: Option<u64>,
    value: OnceLock<Value>,
}

impl TemplateModel {
    /// Splits `model` into its fields and hashes them, but for those whose hash is
    /// `known` (by name) already.
    pub fn new(model: &impl Serialize, known: &KnownHashes) -> TemplateModel {
        let mut split = Split {
            known,
            converting: None,
            fields: Vec::new(),
            at: 0,
        };
        let unsplit = model.serialize(&mut split).is_err() || split.fields.len() > MAX_FIELDS;
        let hash = combined(split.fields.iter().map(|f| (f.name, f.hash)));
        TemplateModel {
            fields: if unsplit { Vec::new() } else { split.fields },
            unsplit,
            converted: OnceLock::new(),
            hash: hash.filter(|_| !unsplit),
        }
    }

    /// Converts the fields of `model` (the one this was made from) for the templates, once,
    /// taking those `kept` holds. Pages are rendered only after this.
    pub fn convert(&self, model: &impl Serialize, readers: Readers, kept: &FieldData) {
        self.converted.get_or_init(|| {
            if self.unsplit {
                return Some(super::data(model));
            }
            let mut split = Split {
                known: &[],
                converting: Some((self, readers, kept)),
                fields: Vec::new(),
                at: 0,
            };
            let _ = model.serialize(&mut split);
            None
        });
    }

    /// The model for one page's templates (once converted), and what records the fields
    /// the page reads.
    pub fn view(self: &Arc<Self>) -> (Value, Arc<Reads>) {
        if let Some(Some(whole)) = self.converted.get() {
            return (whole.clone(), Arc::new(Reads(AtomicU64::new(ALL))));
        }
        let reads = Arc::new(Reads(AtomicU64::new(0)));
        let view = View {
            model: Arc::clone(self),
            reads: Arc::clone(&reads),
        };
        (Value::from_object(view), reads)
    }

    /// The names of the fields `reads` recorded.
    pub fn names(&self, reads: &Reads) -> Vec<String> {
        let read = reads.0.load(Ordering::Relaxed);
        (self.fields.iter().enumerate())
            .filter(|(at, _)| read & (1 << at) != 0)
            .map(|(_, field)| field.name.to_string())
            .collect()
    }

    /// A hash of the fields named, as they are in this model; `None` when one of them is
    /// not in it or cannot be hashed, or the model was not split.
    pub fn hash_of_fields(&self, names: &[impl AsRef<str>]) -> Option<u64> {
        if self.unsplit {
            return None;
        }
        // `names` lists fields in the model's order (`names` made it): each is looked for
        // from where the last was found, and from the start only if it is not there.
        let mut from = 0;
        let hashes = names.iter().map(|name| {
            let name = name.as_ref();
            let at = (self.fields[from..].iter().position(|f| f.name == name))
                .map(|at| from + at)
                .or_else(|| self.fields.iter().position(|f| f.name == name));
            from = at.map_or(from, |at| at + 1);
            (name, at.and_then(|at| self.fields[at].hash))
        });
        combined(hashes)
    }
}

/// The fields a page read, one bit per field (a page that listed the model's fields
/// read them all).
pub struct Reads(AtomicU64);

/// A model with more fields than `Reads` has bits is converted whole.
const MAX_FIELDS: usize = 64;
const ALL: u64 = u64::MAX;

/// Each field's name and hash, chained: a one-shot hash of a few bytes per field (this
/// runs for every page of every build).
fn combined<'n>(hashes: impl Iterator<Item = (&'n str, Option<u64>)>) -> Option<u64> {
    let mut chained = 0u64;
    for (name, hash) in hashes {
        let seed = super::cache::mixed(chained, hash?);
        chained = xxhash_rust::xxh3::xxh3_64_with_seed(name.as_bytes(), seed);
    }
    Some(chained)
}

/// The model as one page's templates see it: a map of its fields, noting each read.
struct View {
    model: Arc<TemplateModel>,
    reads: Arc<Reads>,
}

impl std::fmt::Debug for TemplateModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemplateModel").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Reads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reads({:#x})", self.0.load(Ordering::Relaxed))
    }
}

/// As a map of the fields (`debug()` in a template prints it), all of them read.
impl std::fmt::Debug for View {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.reads.0.store(ALL, Ordering::Relaxed);
        let fields = self.model.fields.iter().map(|f| (f.name, f.value.get()));
        f.debug_map().entries(fields).finish()
    }
}

impl Object for View {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let name = key.as_str()?;
        let at = self.model.fields.iter().position(|f| f.name == name)?;
        self.reads.0.fetch_or(1 << at, Ordering::Relaxed);
        self.model.fields[at].value.get().cloned()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        self.reads.0.store(ALL, Ordering::Relaxed);
        let names: Vec<Value> = (self.model.fields.iter())
            .map(|f| Value::from(f.name))
            .collect();
        Enumerator::Values(names)
    }
}

/// Serializes a struct into its fields: hashing each (`converting` None), or converting
/// each for the model that hashed them. Anything else is refused: the caller converts it
/// whole.
struct Split<'k> {
    known: &'k KnownHashes,
    converting: Option<(&'k TemplateModel, Readers, &'k FieldData)>,
    fields: Vec<Field>,
    /// The field being serialized, by its place.
    at: usize,
}

impl Split<'_> {
    fn add<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        let at = self.at;
        self.at += 1;
        let Some((model, readers, kept)) = self.converting else {
            let known = self.known.iter().find(|(known, _)| *known == name);
            self.fields.push(Field {
                name,
                hash: known.map_or_else(|| hash_of(&value), |(_, hash)| *hash),
                value: OnceLock::new(),
            });
            return;
        };
        // The same model serializes its fields in the same order.
        let Some(field) = model.fields.get(at).filter(|f| f.name == name) else {
            return;
        };
        let convert = || Some(super::data(&value));
        let converted = match field.hash {
            Some(hash) => kept.get((readers, name, hash), convert),
            None => convert(),
        };
        let _ = field.value.set(converted.unwrap_or(Value::UNDEFINED));
    }
}

#[derive(Debug)]
struct NotAStruct;

impl std::fmt::Display for NotAStruct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a model is a struct")
    }
}

impl std::error::Error for NotAStruct {}

impl ser::Error for NotAStruct {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        NotAStruct
    }
}

impl ser::SerializeStruct for &mut Split<'_> {
    type Ok = ();
    type Error = NotAStruct;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), NotAStruct> {
        self.add(key, value);
        Ok(())
    }

    fn end(self) -> Result<(), NotAStruct> {
        Ok(())
    }
}

/// Every other shape is refused.
macro_rules! refuse {
    ($($name:ident($($arg:ty),*) -> $ok:ty;)*) => {
        $(fn $name(self, $(_: $arg),*) -> Result<$ok, NotAStruct> { Err(NotAStruct) })*
    };
}

impl<'k> ser::Serializer for &mut Split<'k> {
    type Ok = ();
    type Error = NotAStruct;
    type SerializeSeq = Impossible<(), NotAStruct>;
    type SerializeTuple = Impossible<(), NotAStruct>;
    type SerializeTupleStruct = Impossible<(), NotAStruct>;
    type SerializeTupleVariant = Impossible<(), NotAStruct>;
    type SerializeMap = Impossible<(), NotAStruct>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), NotAStruct>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, NotAStruct> {
        Ok(self)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<(), NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), NotAStruct> {
        Err(NotAStruct)
    }

    refuse! {
        serialize_bool(bool) -> ();
        serialize_i8(i8) -> ();
        serialize_i16(i16) -> ();
        serialize_i32(i32) -> ();
        serialize_i64(i64) -> ();
        serialize_u8(u8) -> ();
        serialize_u16(u16) -> ();
        serialize_u32(u32) -> ();
        serialize_u64(u64) -> ();
        serialize_f32(f32) -> ();
        serialize_f64(f64) -> ();
        serialize_char(char) -> ();
        serialize_str(&str) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_none() -> ();
        serialize_unit() -> ();
        serialize_unit_struct(&'static str) -> ();
        serialize_unit_variant(&'static str, u32, &'static str) -> ();
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::Environment;

    #[derive(Serialize)]
    struct Model {
        site: &'static str,
        risks: Vec<&'static str>,
        #[serde(skip)]
        _hidden: u32,
    }

    fn model(risks: Vec<&'static str>) -> Model {
        Model {
            site: "Trust",
            risks,
            _hidden: 7,
        }
    }

    fn converted(model: &Model, readers: Readers, kept: &FieldData) -> TemplateModel {
        let made = TemplateModel::new(model, &[]);
        made.convert(model, readers, kept);
        made
    }

    fn render(template: &str, model: &Arc<TemplateModel>) -> (String, Vec<String>) {
        let (view, reads) = model.view();
        let env = Environment::new();
        let html = env.render_str(template, minijinja::context! { model => view });
        (html.unwrap(), model.names(&reads))
    }

    /// Templates read the split model as they read the model converted whole.
    #[test]
    fn a_split_model_reads_as_the_whole() {
        let kept = FieldData::default();
        let split = Arc::new(converted(&model(vec!["a", "b"]), Readers::Internal, &kept));
        let template = "{{ model.site }} {{ model['risks'] | join(',') }} {{ model.nope is defined }} {{ model | length }} {% for k, v in model | items %}{{ k }}={{ v }};{% endfor %}";
        let whole = Environment::new()
            .render_str(
                template,
                minijinja::context! { model => super::super::data(&model(vec!["a", "b"])) },
            )
            .unwrap();
        assert_eq!(render(template, &split).0, whole);
    }

    /// A page's reads name the fields it read; listing the fields reads them all.
    #[test]
    fn reads_are_the_fields_a_page_read() {
        let kept = FieldData::default();
        let split = Arc::new(converted(&model(vec!["a"]), Readers::Internal, &kept));
        assert_eq!(render("{{ model.site }}", &split).1, ["site"]);
        assert_eq!(
            render("{{ model.risks }}{{ model.site }}", &split).1,
            ["site", "risks"]
        );
        assert!(render("plain", &split).1.is_empty());
        for all in [
            "{% for k in model %}{% endfor %}",
            "{{ model }}",
            "{% if model %}{% endif %}",
            "{{ model | dictsort | length }}",
            "{{ debug(model) }}",
        ] {
            assert_eq!(render(all, &split).1, ["site", "risks"], "{all}");
        }
    }

    /// A field's hash changes with it alone; an unchanged field is not converted again.
    #[test]
    fn fields_are_hashed_and_kept_one_by_one() {
        let kept = FieldData::default();
        let before = converted(&model(vec!["a"]), Readers::Internal, &kept);
        kept.start();
        let after = converted(&model(vec!["b"]), Readers::Internal, &kept);
        assert_eq!(
            before.hash_of_fields(&["site"]),
            after.hash_of_fields(&["site"])
        );
        assert_ne!(
            before.hash_of_fields(&["risks"]),
            after.hash_of_fields(&["risks"])
        );
        assert_ne!(before.hash, after.hash);
        assert_eq!(after.hash_of_fields(&["gone"]), None);
        // Both builds' `site` is one conversion, held by the memo.
        let site_hash = after.fields[0].hash.unwrap();
        let held = kept.get((Readers::Internal, "site", site_hash), || None);
        assert_eq!(held, Some(Value::from("Trust")));
        let other = converted(&model(vec!["a"]), Readers::Preview, &kept);
        assert_eq!(
            other.hash_of_fields(&["site"]),
            before.hash_of_fields(&["site"])
        );
    }
}
