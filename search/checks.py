"""Start-up check: search folds text with OpenCC's tables; without them it cannot start."""

from django.core import checks


@checks.register("search")
def folding_tables_present(app_configs=None, **kwargs):
    from search.folding import FoldingTablesMissing, script_table

    try:
        script_table()
    except FoldingTablesMissing as error:
        return [checks.Error(str(error), id="search.E001")]
    return []
