from cart.tests.factories import CartItemFactory

ADMIN = "/admin/orders/cart"


def test_admin_pages_load(admin_client_logged_in):
    item = CartItemFactory()

    pages = [
        "cart/",
        f"cart/{item.cart_id}/change/",
        "catalogvariant/",
        f"catalogvariant/{item.variant_id}/change/",
    ]

    assert [admin_client_logged_in.get(f"{ADMIN}/{page}").status_code for page in pages] == [200, 200, 200, 200]
