"""E-mail: a transactional outbox (`outbox.queue` adds a message in the caller's
transaction), the sender that delivers due messages over SMTP (`sender`), and the
neutral templates the messages are made from (`render`).

What a message says is discreet by design: a neutral subject and sender, a body that only
says there is news and links to the site; never a working name, a decision or anything
else from a file. This package knows no other domain: its callers pass the account."""
