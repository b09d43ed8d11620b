"""What the two HTTP faces (the REST API and the web pages) share.

Authentication of a request (bearer token or session cookie, CSRF), the application
context (database, settings, job runner, caches), background jobs, the pagination query
and the start-up of ``exoderm serve``. Neither face imports the other; both import this.
"""
