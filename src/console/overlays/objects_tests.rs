use super::*;

#[test]
fn object_names_become_file_names_in_the_current_directory() {
    assert_eq!(sanitised("big.bin"), "big.bin");
    assert_eq!(sanitised("reports/2024 q1.pdf"), "reports_2024_q1.pdf");
    assert_eq!(sanitised("../../etc/passwd"), ".._.._etc_passwd");
    assert_eq!(sanitised(".."), "object");
    assert_eq!(sanitised(""), "object");
}

#[test]
fn a_listing_keeps_the_selection_on_its_object() {
    let object = |name: &str| ObjectSummary {
        name: name.into(),
        size: 1,
        chunks: 1,
        modified: None,
        digest: None,
        description: None,
    };
    let mut view = ObjectsState::new("assets");
    view.listed(Ok(vec![object("b"), object("a")]));
    view.selected = 1;
    assert_eq!(view.selected_object().unwrap().name, "b");
    view.listed(Ok(vec![object("c"), object("b"), object("a"), object("0")]));
    assert_eq!(view.selected_object().unwrap().name, "b");
    view.set_filter("*");
    assert_eq!(view.shown.len(), 4);
}
