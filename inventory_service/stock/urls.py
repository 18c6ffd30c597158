from django.urls import path

from stock.apis import StockAdjustApi, StockDetailApi, StockMovementListApi

urlpatterns = [
    path("inventory/<uuid:product_id>/", StockDetailApi.as_view(), name="stock-detail"),
    path("inventory/<uuid:product_id>/adjust/", StockAdjustApi.as_view(), name="stock-adjust"),
    path("inventory/<uuid:product_id>/movements/", StockMovementListApi.as_view(), name="stock-movement-list"),
]
