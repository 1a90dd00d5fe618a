"""Real-time delivery: the durable event log (``log``) and its fan-out (``hub``).

One door: an action calls :func:`eocnet.realtime.log.publish` inside its transaction;
subscribers are woken only after the commit, and read the log from their last id.
"""
