//! Template context built from any `Serialize` values.

/// Like `minijinja::context!`, but every value goes through `Value::from_serialize`, so
/// view structs only need `#[derive(Serialize)]`.
#[macro_export]
#[doc(hidden)]
macro_rules! ctx {
    ($($key:ident => $value:expr),* $(,)?) => {
        minijinja::context! { $($key => minijinja::Value::from(minijinja::value::Serde(&$value))),* }
    };
}
