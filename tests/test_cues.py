"""Sales cues in the eight languages: prices written and spoken, discounts, promo codes,
calls to action, urgency; and the lexicon files they come from."""

import pytest

from highlights.cues import CUE_KINDS, find_cues
from highlights.lexicon import find_phrases, languages, load_lexicon
from highlights.records import Word
from highlights.stemming import tokenize_text


def words_of(text: str) -> list[Word]:
    return [Word(round(i * 0.3, 3), round(i * 0.3 + 0.25, 3), " " + w) for i, w in enumerate(text.split())]


def cues_of(text: str, language: str) -> list[tuple[str, str]]:
    return [(c.kind, c.value) for c in find_cues(words_of(text), language)]


@pytest.mark.parametrize("language, text, price", [
    ("en", "Today it is only $49, what a deal.", "49 USD"),
    ("en", "It costs forty-nine dollars today.", "49 USD"),
    ("en", "Only 19.99 € for you.", "19.99 EUR"),
    ("ru", "Сегодня они стоят всего сорок девять долларов.", "49 USD"),
    ("ru", "Цена одна тысяча двести рублей.", "1200 RUB"),
    ("uk", "Він коштує лише сорок дев'ять гривень.", "49 UAH"),
    ("pl", "Kosztuje tylko 49,99 zł, naprawdę.", "49.99 PLN"),
    ("pl", "Kosztuje czterdzieści dziewięć złotych.", "49 PLN"),
    ("es", "Cuesta solo cuarenta y nueve euros.", "49 EUR"),
    ("pt", "Custa apenas quarenta e nove reais.", "49 BRL"),
    ("fr", "Elle coûte seulement quarante-neuf euros.", "49 EUR"),
    ("it", "Oggi costa solo quarantanove euro.", "49 EUR"),
])
def test_prices_written_and_spoken(language, text, price):
    assert ("price", price) in cues_of(text, language)


@pytest.mark.parametrize("language, text, kind, value", [
    ("en", "Use the promo code AURORA10 now.", "promo_code", "AURORA10"),
    ("en", "Enter the code Breeze five, friends.", "promo_code", "BREEZE5"),
    ("ru", "Вводите промокод НОВА пять.", "promo_code", "НОВА5"),
    ("pl", "Wpisz kod NOVA 5, a dostawa będzie darmowa.", "promo_code", "NOVA5"),
    ("en", "Twenty percent off today.", "discount", "20%"),
    ("ru", "Скидка двадцать процентов.", "discount", "20%"),
    ("fr", "Avec vingt pour cent de réduction.", "discount", "20%"),
    ("it", "Con il venti per cento di sconto.", "discount", "20%"),
    ("es", "Con un veinte por ciento de descuento.", "discount", "20%"),
    ("en", "Add it to your shopping cart.", "call_to_action", ""),
    ("en", "The link is below.", "call_to_action", ""),
    ("pl", "Dodaj go do koszyka.", "call_to_action", ""),
    ("ru", "Добавляйте их в корзину, ссылка в описании.", "call_to_action", ""),
    ("uk", "Додавайте його в кошик.", "call_to_action", ""),
    ("pt", "Adicione ao carrinho agora.", "call_to_action", ""),
    ("fr", "Ajoutez-la au panier.", "call_to_action", ""),
    ("it", "Aggiungilo al carrello.", "call_to_action", ""),
    ("es", "Añádelo al carrito.", "call_to_action", ""),
    ("en", "Only twenty pieces are left.", "urgency", ""),
    ("ru", "Осталось всего десять штук.", "urgency", ""),
    ("es", "Quedan pocas unidades.", "urgency", ""),
])
def test_discounts_codes_calls_to_action_and_urgency(language, text, kind, value):
    assert (kind, value) in cues_of(text, language)


def test_chatter_and_other_codes_are_no_cues():
    # Real speech from the shared media (JFK, LibriSpeech) and a dress code.
    assert cues_of("Ask not what your country can do for you, ask what you can do for your country.", "en") == []
    assert cues_of("Mister Quilter is the apostle of the middle classes.", "en") == []
    assert cues_of("The dress code is casual, and it is two hundred miles away.", "en") == []
    assert cues_of("Бедняга ребят, на его месте должен был быть я.", "ru") == []


def test_cues_carry_their_words_and_times():
    words = words_of("Hello there. It costs $29 today, add it to your cart.")
    price, action = find_cues(words, "en")
    assert (price.kind, price.text, price.start, price.end) == ("price", "$29", words[4].start, words[4].end)
    assert price.reason == "states price 29 USD"
    assert action.kind == "call_to_action" and action.text == "add it to your cart."
    assert action.reason == "call to action (add it to your cart)"


def test_every_language_has_a_complete_lexicon():
    assert languages() == sorted(["en", "ru", "es", "pt", "fr", "it", "pl", "uk"])
    for language in languages():
        lexicon = load_lexicon(language)
        assert set(lexicon.cues) == set(CUE_KINDS) - {"price"}, language
        assert lexicon.currencies and "%" in lexicon.currencies, language
        assert lexicon.chatter and lexicon.intro and lexicon.refer and lexicon.stopwords, language
    assert load_lexicon("de") == load_lexicon("en")  # no lexicon: English, not an error


def test_phrase_patterns():
    def match(text: str, pattern: str, language: str = "en") -> bool:
        tokens = tokenize_text(text, language)
        phrases = (tuple(pattern.split()),)
        return bool(find_phrases([t.text for t in tokens], [t.kind for t in tokens], phrases))

    assert match("add it to my shopping cart", "add .. cart")  # `..`: up to four words
    assert not match("add it to my big blue shopping cart", "add .. cart")
    assert match("only 20 left", "# left") and match("only twenty left", "# left")  # `#`: a number
    assert not match("only few left", "# left")
    assert match("добавляйте в корзину", "добавля* в корзин*", "ru")  # `*`: any ending
    assert match("Kosztuje ZŁ", "kosztuje zł", "pl")  # case folded, ł kept


def test_a_broken_lexicon_is_refused_with_its_path(tmp_path, monkeypatch):
    import highlights.languages as registry
    import highlights.lexicon as lexicons

    (tmp_path / "xx.toml").write_text("[language]\nname = 'X'\nscript = 'latin'\niso639_3 = 'xxx'\n"
                                      "[cues]\ndiscount = 'not a list'\n")
    monkeypatch.setattr(registry, "HERE", tmp_path)
    registry.registry.cache_clear()
    lexicons.load_lexicon.cache_clear()
    try:
        with pytest.raises(lexicons.LexiconError, match=r"xx\.toml: not a valid lexicon"):
            lexicons.load_lexicon("xx")
    finally:
        registry.registry.cache_clear()
        lexicons.load_lexicon.cache_clear()


@pytest.mark.parametrize("text", [
    "The code is in the chat, I will read it out later.",
    "I will give you the code in two minutes, I promise.",
    "Use promo code 2 at checkout.",
    "Enter the code THE when you pay.",
])
def test_a_promo_code_must_look_like_one(text):
    assert [v for k, v in cues_of(text, "en") if k == "promo_code"] == []


def test_promo_codes_with_digits_or_from_the_catalog():
    assert ("promo_code", "SERUM5") in cues_of("And with the coupon SERUM5 you save five dollars.", "en")
    said = find_cues(words_of("Use the code Aurora at checkout."), "en", codes=frozenset({"aurora"}))
    assert [(c.kind, c.value) for c in said if c.kind == "promo_code"] == [("promo_code", "AURORA")]


@pytest.mark.parametrize("language, text, kind", [
    ("en", "Buy two sets and the second one is free.", "bundle"),
    ("en", "Every order gets a free gift tonight.", "gift"),
    ("en", "Use your voucher at checkout.", "discount"),
    ("es", "Comprad dos y el segundo es gratis.", "bundle"),
    ("es", "Con cada bolso os regalamos un monedero.", "gift"),
    ("es", "Con el cupón os ahorráis diez euros.", "discount"),
    ("it", "Comprate due set e il secondo è gratis.", "bundle"),
    ("it", "Con ogni teiera vi regaliamo una scatola di tè.", "gift"),
    ("it", "Usate il buono sconto alla cassa.", "discount"),
    ("ru", "Купите два по цене одного.", "bundle"),
    ("ru", "К каждому чайнику мы дарим коробку чая.", "gift"),
    ("ru", "У нас есть купон для вас.", "discount"),
    ("uk", "Купуйте два за ціною одного.", "bundle"),
    ("uk", "Кожному покупцю даруємо чохол.", "gift"),
    ("pl", "Kupcie dwa w cenie jednego.", "bundle"),
    ("pl", "Etui dostajecie w prezencie.", "gift"),
    ("pt", "Leve 3 pague 2 só hoje.", "bundle"),
    ("pt", "Cada pedido ganha um brinde.", "gift"),
    ("fr", "Le deuxième est offert ce soir.", "bundle"),
    ("fr", "Une trousse en cadeau avec chaque commande.", "gift"),
])
def test_bundles_gifts_and_coupons_in_every_lexicon(language, text, kind):
    assert kind in [k for k, _v in cues_of(text, language)]


def test_one_list_of_currency_signs_for_every_language():
    from highlights.lexicon import currency_codes, currency_symbols

    signs = currency_symbols()  # raises if two languages give a sign different codes
    assert signs["$"] == "USD" and signs["€"] == "EUR" and signs["₽"] == "RUB" and signs["₴"] == "UAH"
    assert {"USD", "EUR", "PLN", "UAH", "RUB", "BRL"} <= currency_codes()
    assert ("price", "49 USD") in cues_of("Всего $49 сегодня.", "ru")  # a sign reads the same in any language
