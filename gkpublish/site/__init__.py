"""The public 政务公开 site: pages from the public view, the MkDocs plugin, search, verify-site.

``pages`` and ``guide`` make the pages, ``plugin`` hands them to MkDocs, ``search`` builds
the site's own search index (``gkindex``), ``manifest`` records what a build produced and ``verify`` proves nothing else
is there. See docs/site.md.
"""
