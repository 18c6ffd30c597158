"""The embedded default: every mail one .eml file a mail program opens."""

from email import policy
from email.parser import BytesParser

from django.core.mail import EmailMultiAlternatives

from notifications.mail import EmlFileBackend


def test_each_message_is_one_eml_file(tmp_path):
    backend = EmlFileBackend(file_path=str(tmp_path / "mail"))
    first = EmailMultiAlternatives("Hello", "Body one\n", "shop@example.com", ["a@example.com"])
    first.attach_alternative("<p>Body one</p>", "text/html")
    second = EmailMultiAlternatives("Again", "Body two\n", "shop@example.com", ["b@example.com"])

    assert backend.send_messages([first, second]) == 2

    files = sorted((tmp_path / "mail").iterdir())
    assert [path.suffix for path in files] == [".eml", ".eml"]
    parsed = [BytesParser(policy=policy.default).parsebytes(path.read_bytes()) for path in files]
    assert sorted((mail["To"], mail["Subject"]) for mail in parsed) == [
        ("a@example.com", "Hello"),
        ("b@example.com", "Again"),
    ]
    html = next(mail for mail in parsed if mail["To"] == "a@example.com").get_body(("html",))
    assert html.get_content() == "<p>Body one</p>\n"
