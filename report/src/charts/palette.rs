//! Deterministic colours keyed by name, so a fleet or strategy keeps its colour in every chart
//! of a report (and, as far as the palette allows, across reports).
//!
//! Assignment: names are taken in sorted order; each prefers the slot given by the FNV-1a hash
//! of its name and takes the next free slot on a collision. So `web` has the same colour in
//! every report where its preferred slot is free, two names of one report never share a colour
//! (up to ten names), and the result does not depend on the order names were given in.
//! The ten colours are Tableau 10 (Maureen Stone's palette), chosen to stay distinguishable
//! for the common forms of colour blindness. Fixed roles (first tries, retries, goodput, ...)
//! have colours of their own in [`role`].

use plotters::style::RGBColor;
use std::collections::BTreeMap;

/// Tableau 10: blue, orange, red, teal, green, yellow, purple, pink, brown, grey.
pub const TABLEAU10: [RGBColor; 10] = [
    RGBColor(0x4E, 0x79, 0xA7),
    RGBColor(0xF2, 0x8E, 0x2B),
    RGBColor(0xE1, 0x57, 0x59),
    RGBColor(0x76, 0xB7, 0xB2),
    RGBColor(0x59, 0xA1, 0x4F),
    RGBColor(0xED, 0xC9, 0x48),
    RGBColor(0xB0, 0x7A, 0xA1),
    RGBColor(0xFF, 0x9D, 0xA7),
    RGBColor(0x9C, 0x75, 0x5F),
    RGBColor(0xBA, 0xB0, 0xAC),
];

/// Colours of fixed roles, the same in every chart.
pub mod role {
    use plotters::style::RGBColor;
    /// First tries (new logical requests sent): blue.
    pub const FIRST_TRIES: RGBColor = RGBColor(0x4E, 0x79, 0xA7);
    /// Retries: orange.
    pub const RETRIES: RGBColor = RGBColor(0xF2, 0x8E, 0x2B);
    /// Goodput (successful logical requests): dark green.
    pub const GOODPUT: RGBColor = RGBColor(0x1B, 0x7A, 0x3A);
    /// Capacity or limit line: near black.
    pub const CAPACITY: RGBColor = RGBColor(0x22, 0x22, 0x22);
    /// Rejections: red.
    pub const REJECTED: RGBColor = RGBColor(0xC0, 0x1E, 0x2E);
    /// Fault window shading: grey.
    pub const FAULT: RGBColor = RGBColor(0x88, 0x88, 0x88);
    /// Marks (window resets): purple.
    pub const MARK: RGBColor = RGBColor(0x7B, 0x3F, 0x9E);
}

/// Colours for a set of names.
///
/// ```
/// use report::charts::Palette;
/// let a = Palette::new(["web", "batch"]);
/// let b = Palette::new(["batch", "web"]);
/// assert_eq!(a.color("web"), b.color("web"));
/// assert_ne!(a.color("web"), a.color("batch"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Palette {
    assigned: BTreeMap<String, RGBColor>,
}

impl Palette {
    /// Assign colours to `names` (duplicates are ignored; order does not matter).
    pub fn new<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut sorted: Vec<String> = names.into_iter().map(|s| s.as_ref().to_owned()).collect();
        sorted.sort();
        sorted.dedup();
        let mut taken = [false; TABLEAU10.len()];
        let mut assigned = BTreeMap::new();
        for (i, name) in sorted.into_iter().enumerate() {
            let preferred = preferred_slot(&name);
            let slot = if i < TABLEAU10.len() {
                (0..TABLEAU10.len())
                    .map(|k| (preferred + k) % TABLEAU10.len())
                    .find(|&s| !taken[s])
                    .unwrap_or(preferred)
            } else {
                preferred
            };
            taken[slot] = true;
            assigned.insert(name, TABLEAU10[slot]);
        }
        Palette { assigned }
    }

    /// Add names after the existing ones (for lines that are not fleets, such as backend
    /// gauges): each takes a slot no earlier name holds, while one is free, so the colours of
    /// the names already assigned do not change.
    ///
    /// ```
    /// use report::charts::Palette;
    /// let fleets = Palette::new(["web", "batch"]);
    /// let all = fleets.clone().with_extra(["backend queue"]);
    /// assert_eq!(all.color("web"), fleets.color("web"));
    /// assert_ne!(all.color("backend queue"), all.color("web"));
    /// ```
    pub fn with_extra<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut extra: Vec<String> = names
            .into_iter()
            .map(|s| s.as_ref().to_owned())
            .filter(|n| !self.assigned.contains_key(n))
            .collect();
        extra.sort();
        extra.dedup();
        for name in extra {
            let taken: Vec<RGBColor> = self.assigned.values().copied().collect();
            let preferred = preferred_slot(&name);
            let slot = (0..TABLEAU10.len())
                .map(|k| (preferred + k) % TABLEAU10.len())
                .find(|&s| !taken.contains(&TABLEAU10[s]))
                .unwrap_or(preferred);
            self.assigned.insert(name, TABLEAU10[slot]);
        }
        self
    }

    /// The colour of `name`; a name not given to [`Palette::new`] gets its preferred slot.
    pub fn color(&self, name: &str) -> RGBColor {
        self.assigned
            .get(name)
            .copied()
            .unwrap_or(TABLEAU10[preferred_slot(name)])
    }

    /// The colour as CSS hex (`#4e79a7`), for swatches in the HTML report.
    pub fn hex(&self, name: &str) -> String {
        let RGBColor(r, g, b) = self.color(name);
        format!("#{r:02x}{g:02x}{b:02x}")
    }
}

/// FNV-1a (64-bit) of the name, modulo the palette size: stable across runs and platforms.
fn preferred_slot(name: &str) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h % TABLEAU10.len() as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn preferred_slot_is_pinned() {
        // Pinned values: changing the hash would silently recolour every saved report.
        assert_eq!(
            preferred_slot(""),
            (0xcbf2_9ce4_8422_2325_u64 % 10) as usize
        );
        let p = Palette::new(["web"]);
        assert_eq!(p.color("web"), TABLEAU10[preferred_slot("web")]);
        assert_eq!(p.hex("web").len(), 7);
    }

    #[test]
    fn extras_never_recolour_existing_names() {
        let base = Palette::new(["a", "b", "c"]);
        let more = base.clone().with_extra(["x", "y", "a"]);
        for n in ["a", "b", "c"] {
            assert_eq!(base.color(n), more.color(n));
        }
        let set: std::collections::BTreeSet<_> = ["a", "b", "c", "x", "y"]
            .iter()
            .map(|n| {
                let RGBColor(r, g, b) = more.color(n);
                (r, g, b)
            })
            .collect();
        assert_eq!(set.len(), 5);
    }

    proptest! {
        #[test]
        fn up_to_ten_names_get_distinct_colours(names in proptest::collection::btree_set("[a-z]{1,8}", 1..=10)) {
            let p = Palette::new(&names);
            let colours: std::collections::BTreeSet<_> =
                names.iter().map(|n| { let RGBColor(r, g, b) = p.color(n); (r, g, b) }).collect();
            prop_assert_eq!(colours.len(), names.len());
        }

        #[test]
        fn order_does_not_matter(mut names in proptest::collection::vec("[a-z]{1,6}", 1..12)) {
            let a = Palette::new(&names);
            names.reverse();
            let b = Palette::new(&names);
            prop_assert_eq!(a, b);
        }
    }
}
