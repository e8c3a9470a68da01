"""A corpus of element strings with the verdicts of GS1's own Syntax Engine, which ours must match.

Each case was run through gs1-syntax-engine's C library (github.com/gs1/gs1-syntax-engine, commit
50657dbd04ce78d8734e8793e054bf70dcba294b, gs1_encoder_setDataStr with its default validations) and
its answer recorded here: the HRI it read, or its error message. The strings are random messages of
the AIs we read and print (keys, dates, counts, lot, serial, GDTI, GCN, GSIN, GRAI, ITIP, GSRN...),
most of them damaged (a GS dropped, a character dropped, inserted or changed). "^" stands for GS.
In a differential run of 19,000 such strings ours and the engine agreed on all but one, a (8030)
digital-signature rule that no station meets. The engine validates one message alone, without the
allowance parse_scan gives a symbol for the SSCC on another symbol of its label, so this compares
gs1_syntax's split and pairings directly.
"""

from __future__ import annotations

import re

import pytest

from models import gs1_syntax
from models.errors import DomainError

GS = "\x1d"

# (data, the engine's HRI)
ACCEPTED = [
    ("0101406147487275", "(01) 01406147487275"),
    ('01072637074255591108070221RqC6"', '(01) 07263707425559 (11) 080702 (21) RqC6"'),
    (
        "40252755379555334789^91&HA7g&yq,F7FtxbZh4GSIRh>3?-OosJ+BJlf3GZw=j?NFd-5NQug*1=p3<0V?_-es*>^155306270109083924123766",
        "(402) 52755379555334789 (91) &HA7g&yq,F7FtxbZh4GSIRh>3?-OosJ+BJlf3GZw=j?NFd-5NQug*1=p3<0V?_-es*> (15) 530627 (01) 09083924123766",  # noqa: E501
    ),
    ("40280590262902658066", "(402) 80590262902658066"),
    ("010387198001861641464080843641713053296944", "(01) 03871980018616 (414) 6408084364171 (30) 53296944"),
    (
        "0082131900008006362531038773060108565477961466",
        "(00) 821319000080063625 (3103) 877306 (01) 08565477961466",
    ),
    ("800308268566296479Yg", "(8003) 08268566296479Yg"),
    (
        "2558789403948707162028^8003097430818263297u=^40294328932230912322^4144442569792846",
        "(255) 8789403948707162028 (8003) 097430818263297u= (402) 94328932230912322 (414) 4442569792846",
    ),
    (
        "8026019044063116700203^002950492628220981563724180242",
        "(8026) 019044063116700203 (00) 295049262822098156 (37) 24180242",
    ),
    ("0104127495586812", "(01) 04127495586812"),
    (
        "8018044058995950869825^800304182410064578V)9nm^40228543866575058518",
        "(8018) 044058995950869825 (8003) 04182410064578V)9nm (402) 28543866575058518",
    ),
    ("40273960262219526765^8006361377415934490102", "(402) 73960262219526765 (8006) 361377415934490102"),
    (
        "7007120406011201^2532548293827891(K^0107153299796895",
        "(7007) 120406011201 (253) 2548293827891(K (01) 07153299796895",
    ),
    ("2531106357361241^00049688451064818840", "(253) 1106357361241 (00) 049688451064818840"),
    ("2559859040286452145271^17771217", "(255) 9859040286452145271 (17) 771217"),
    ("8017337744322865510505", "(8017) 337744322865510505"),
    (
        "91PfyaM(nxTc0&w:4='emi3JftKx-K/I4,1InrHY.Fbq^40272518511028470061",
        "(91) PfyaM(nxTc0&w:4='emi3JftKx-K/I4,1InrHY.Fbq (402) 72518511028470061",
    ),
    ("00143648446529397180", "(00) 143648446529397180"),
    ("8006410454750389260102", "(8006) 410454750389260102"),
    (
        "40258175921479796338^8003004592742582643ZU1+m<hB7D4",
        "(402) 58175921479796338 (8003) 004592742582643ZU1+m<hB7D4",
    ),
]

# (data, the engine's error)
REFUSED = [
    ("8017331138798113511977^8006181478158069970102^1560408", "AI (15) data has incorrect length"),
    (
        "0005614897071248107601056900720031748006167123431222020102^3103038699",
        "It is invalid to pair AI (8006) with AI (01)",
    ),
    (
        "7007790710^10g,'%5\".0j=-Z80UHcgm^8006636441855345790102",
        "Required AIs for AI (7007) are not satisfied: 01,02",
    ),
    (
        "8026684141225039900203^8017899080912425089965^40214157900727681602^3014706292",
        "Required AIs for AI (30) are not satisfied: 01,02",
    ),
    ("0104948110868103103273895", "AI (01): The numeric check digit is incorrect."),
    ("37592993918003090916554915592b58^8026079455142256060203", "AI (37) data is too long"),
    (
        "170408041502020031035774688018138583909228345406",
        "Required AIs for AI (15) are not satisfied: 01,02,03,8006,8026",
    ),
    ("802357731877669720203", "No known AI is a prefix of: 8023..."),
    ("414970525721284418017158402447364520874^10'&_U>V", "AI (414): The numeric check digit is incorrect."),
    ("10K6lx/JI/", "Required AIs for AI (10) are not satisfied: 01,02,03,8006,8026"),
    (
        "25500836840365728568906966^7007240101130225^3727152426^0205543782528553",
        "It is invalid to pair AI (255) with AI (02)",
    ),
    ("11530314", "Required AIs for AI (11) are not satisfied: 01,02,03,8006,8026"),
    ("00927854160893211751010914467541771610(J0!&", "AI (00): The numeric check digit is incorrect."),
    (
        "175609148018180822228783912539^3723472111^91vJ)Z'USS90tqpAy'S_;N,SM*(x!(9oQ()g7TzJy80E",
        "Required AIs for AI (17) are not satisfied: 01,02,03,255,8006,8026",
    ),
    (
        "3103950978800304485376103634iZ'^40232047216816029452^00155682955069714618",
        "Required AIs for AI (3103) are not satisfied: 01,02",
    ),
    (
        "8026815530813076850203^3784271634^8017847761475934243123",
        "AI (8026): The numeric check digit is incorrect.",
    ),
    ("1126800", "AI (11) data has incorrect length"),
    ("2551559456279151279965906^7007740501^80180414454452018815157", "AI (8018) data is too long"),
    (
        "213nKQ^40269958710298194545^8017407321997277188517",
        "Required AIs for AI (21) are not satisfied: 01,03,8006",
    ),
    (
        "005894760244236212388017633215655875486444^254t_<Cl'QKEje7^7007010101",
        "Required AIs for AI (254) are not satisfied: 414",
    ),
    ("02092856692928178026696514619150940203^301244541", "It is invalid to pair AI (8026) with AI (02)"),
    ("800305288001145646)AlE9Z7KJDC8WA40251701133092755993", "AI (8003) data is too long"),
    (
        "80182306140823746428379^8017824152749548696156^3739268384",
        "AI (8018): The numeric check digit is incorrect.",
    ),
    ("7007120724^10'i7Us7^800661346232501702010^0109955274670309", "AI (8006) data has incorrect length"),
    ("8017743144908059804763^0204761129281096", "Required AIs for AI (02) are not satisfied: 37"),
    ("10Gbiqmg7P^15394114", "AI (15): The date contains an illegal month of the year."),
    ("010810876847349302004773634569888017554948101554808872", "It is invalid to pair AI (02) with AI (01)"),
    ("253662518269154XfZ<XtHE", "AI (253): A non-digit character was found where a digit is expected."),
    ("8026319382762105430203", "Required AIs for AI (8026) are not satisfied: 37"),
    ("02078931695098583724774946", "Required AIs for AI (37) are not satisfied: 00"),
]


def engine_reading(data: str) -> list[tuple[str, str]]:
    """What the engine does with one message: split and check values, no AI twice, every pairing."""
    pairs = gs1_syntax.split(data, data)
    ais = [ai for ai, _ in pairs]
    assert len(set(ais)) == len(ais)
    gs1_syntax.check_associations(data, ais)
    return pairs


@pytest.mark.parametrize(("data", "hri"), ACCEPTED)
def test_what_the_engine_accepts_we_read_the_same(data: str, hri: str) -> None:
    assert engine_reading(data.replace("^", GS)) == re.findall(r"\((\d{2,4})\) (\S+)", hri)


@pytest.mark.parametrize(("data", "engine_error"), REFUSED)
def test_what_the_engine_refuses_we_refuse(data: str, engine_error: str) -> None:
    with pytest.raises(DomainError):
        engine_reading(data.replace("^", GS))
