def test_openpyxl_parses_uploads_with_defusedxml_not_lxml():
    """lxml is installed (python-docx needs it); openpyxl would then parse uploaded workbooks with
    it and without defusedxml. config/__init__.py keeps it on the guarded standard parser."""
    import openpyxl

    assert openpyxl.LXML is False
    assert openpyxl.DEFUSEDXML is True
