import contextlib


@contextlib.contextmanager
def broker(url: str, **conf):
    """Point the Celery app at another broker for a while.

    The app caches its connection and producer pools, so they are dropped on the way in and out
    (what Celery itself does after a fork).
    """
    from config.celery import app

    def reset():
        app._pool = None
        app.__dict__.get("amqp") and setattr(app.__dict__["amqp"], "_producer_pool", None)

    saved = {key: app.conf[key] for key in ("broker_url", *conf)}
    app.conf.update(broker_url=url, **conf)
    reset()
    try:
        yield app
    finally:
        app.conf.update(saved)
        reset()
