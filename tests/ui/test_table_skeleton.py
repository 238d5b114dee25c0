"""includes/table.html, the list tables' skeleton: the header row from {% columns %} and the page's rows partial."""

from django.template import Context, Template
from django.utils import translation

from tests.helpers import compile_catalogues


def render(source, **context):
    return Template("{% load i18n tables %}" + source).render(Context(context))


def test_columns_keep_their_order_and_mark_the_figures():
    html = render(
        '{% columns _("Work item") "num" _("Percent complete") label as columns %}'
        "{% for column in columns %}{{ column.label }}={{ column.numeric }};{% endfor %}",
        label="Updated",
    )
    assert html == "Work item=False;Percent complete=True;Updated=False;"


def test_the_skeleton_renders_the_header_caption_and_rows_of_the_page():
    compile_catalogues()
    with translation.override("zh-hans"):
        html = render(
            '{% columns _("Period") "num" _("Percent complete") as columns %}'
            '{% include "includes/table.html" with caption=_("Reports") %}',
            rows=Template("{% for n in numbers %}<tr><td>{{ n }}</td></tr>{% endfor %}"),
            numbers=[1, 2],
        )
    assert '<table class="table">' in html
    assert '<caption class="visually-hidden">报告</caption>' in html
    assert "<tbody>\n      <tr><td>1</td></tr><tr><td>2</td></tr>\n    </tbody>" in html
    assert '<th scope="col">报告期</th><th scope="col" class="num">完成百分比</th>' in html
