//! The map of Germany on `/labs/` for the imported codefor.de labs: every marker where
//! its lab is, every count as the list says.

use std::collections::HashMap;

use codefor_content::hugo::geo::{Placement, state_of};
use codefor_domain::states;
use codefor_storage::labs;

use crate::support::{block_on, fixture, get};

#[test]
#[cfg_attr(
    not(has_fixture),
    ignore = "needs the codefor.de fixture beside the checkout (../shared/fixtures/codefor.de)"
)]
fn the_map_matches_the_labs_and_their_states() {
    block_on(async {
        let s = fixture().await;
        let all = labs::list(&s.db.db).await.expect("labs");
        let placed: Vec<_> = all
            .iter()
            .filter(|l| l.latitude.is_some() && l.longitude.is_some())
            .collect();
        assert!(placed.len() >= 30, "the fixture's labs have coordinates");
        // Every lab with coordinates lies inside its own state's outline.
        for lab in &placed {
            let (lat, lon) = (lab.latitude.unwrap_or(0.0), lab.longitude.unwrap_or(0.0));
            match state_of(lat, lon) {
                Placement::Inside(st) => {
                    assert_eq!(Some(st.key), lab.state_key.as_deref(), "{}", lab.slug)
                }
                other => panic!(
                    "{} ({lat}, {lon}) is not inside a state: {other:?}",
                    lab.slug
                ),
            }
        }
        let (status, page) = get(s, "/labs/").await;
        assert_eq!(status, 200);
        assert_eq!(
            page.matches("class=\"lab-marker\"").count(),
            placed.len(),
            "one marker per lab"
        );
        for lab in &placed {
            assert!(
                page.contains(&format!("class=\"lab-marker\" href=\"/{}/\"", lab.slug)),
                "{}",
                lab.slug
            );
        }
        // The counts on the map are the counts of the list.
        let mut per_state: HashMap<&str, usize> = HashMap::new();
        for lab in &all {
            if let Some(k) = lab.state_key.as_deref() {
                *per_state.entry(k).or_default() += 1;
            }
        }
        for st in states::ALL.iter() {
            let n = per_state.get(st.key).copied().unwrap_or(0);
            let word = if n == 1 { "Lab" } else { "Labs" };
            assert!(
                page.contains(&format!("aria-label=\"{}: {n} {word}\"", st.name)),
                "{}: {n}",
                st.name
            );
            if n > 0 {
                let list = format!("({n} {word})");
                let (status, state_page) = get(s, &format!("/labs/{}/", st.slug)).await;
                assert_eq!(status, 200, "{}", st.slug);
                assert!(
                    state_page.contains(&list),
                    "{}: the list says {list}",
                    st.slug
                );
                assert!(state_page.contains("class=\"state focus\""));
                for lab in all
                    .iter()
                    .filter(|l| l.state_key.as_deref() == Some(st.key))
                {
                    assert!(
                        state_page.contains(&format!("<li><a href=\"/{}/\">", lab.slug)),
                        "{} on /labs/{}/",
                        lab.slug,
                        st.slug
                    );
                }
            }
        }
        assert_eq!(get(s, "/labs/atlantis/").await.0, 404);
    });
}
