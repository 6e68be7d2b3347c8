from supportdesk.search.analysis import analyze, analyze_query, fold_word, index_form, normalize
from supportdesk.search.highlight import highlight


def test_traditional_characters_fold_to_simplified_words():
    assert "技术" in analyze("技術支援").words
    assert analyze("技術").words == analyze("技术").words


def test_taiwan_usage_folds_to_mainland_words():
    assert "数据库" in analyze("資料庫連線逾時").words


def test_chinese_is_segmented_into_words_not_characters():
    words = analyze("打印机连不上网络").words
    assert "打印机" in words
    assert "网络" in words


def test_support_vocabulary_is_found_as_whole_words():
    # 闭环管理 and 同步失败 are not in jieba's general dictionary: DOMAIN_WORDS adds them.
    assert "闭环管理" in analyze("工单进入闭环管理").words
    assert "同步失败" in analyze("同步失败了").words
    assert analyze_query("同步失败").words == ["同步", "失败", "同步失败"]


def test_rare_short_support_words_stay_whole():
    # jieba counts these 3 times or fewer in its corpus; the trimmed dictionary keeps every
    # word of up to three characters, so they are still words, not loose characters.
    words = analyze("误删了数据，宕机后弹窗报错，网络掉线，收不到验证码，订单号不对").words
    for word in ["误删", "宕机", "弹窗", "报错", "掉线", "收不到", "验证码", "订单号"]:
        assert word in words


def test_identifiers_stay_whole_tokens():
    found = analyze("ERR_1024 on 5.2.1 from 192.168.1.10, code 0x80070005, SN-2024-AB12")
    for token in ["err_1024", "5.2.1", "192.168.1.10", "0x80070005", "sn-2024-ab12"]:
        assert token in found.words
        assert token in found.identifiers


def test_a_query_for_an_identifier_does_not_fall_apart_into_its_parts():
    assert analyze_query("ERR_1024").words == ["err_1024"]


def test_ticket_numbers_are_whole_tokens():
    assert analyze_query("TS202611230001").identifiers == ["ts202611230001"]


def test_english_is_lower_cased_and_plurals_fold():
    assert analyze("Printers").words == analyze("printer").words
    assert fold_word("libraries") == "library"
    assert fold_word("process") == "process"


def test_full_width_characters_fold():
    assert normalize("ＥＲＲ＿１０２４") == "err_1024"


def test_short_chinese_queries_have_gram_tokens():
    assert analyze_query("卡").grams == ["卡"]
    assert analyze_query("网络").grams == ["网络"]


def test_stopwords_are_dropped():
    assert "的" not in analyze("系统的问题").words


def test_synonym_groups_expand_a_query():
    q = analyze_query("打印机连不上", [["连不上", "无法连接"]])
    assert "无法" in q.words and "连接" in q.words


def test_lone_surrogates_and_huge_input_are_harmless():
    assert analyze_query("\ud800" * 10).is_empty
    assert len(analyze_query("数据库" * 5000).words) <= 64


def test_index_form_encodes_punctuation_inside_identifiers():
    assert index_form("err_1024") == "errx5f1024"
    assert index_form("数据库") == "数据库"


def test_highlight_marks_matches_in_the_original_text_and_escapes_the_rest():
    html = highlight("<b>技術</b>支援", ["技术"])
    assert html == "&lt;b&gt;<mark>技術</mark>&lt;/b&gt;支援"
