// The shop's behaviour: a cart in localStorage and the Cartwheel calls a real shop would make.
// `window.cartwheel` is the snippet's stub until the SDK has loaded, so every call is safe.
(() => {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  // Recommended products come from the API; the shop's own catalogue wins where both know one.
  const catalog = new Map(
    [...(data.recommended ?? []), ...(data.products ?? [])].map((product) => [
      product.product_id,
      product,
    ]),
  );
  const CART_KEY = "storefront.cart";
  const $ = (id) => document.getElementById(id);
  const money = (amount) =>
    new Intl.NumberFormat("en-IE", { style: "currency", currency: data.currency }).format(amount);

  const readCart = () => {
    try {
      return JSON.parse(localStorage.getItem(CART_KEY)) ?? [];
    } catch {
      return [];
    }
  };
  const writeCart = (items) => {
    localStorage.setItem(CART_KEY, JSON.stringify(items));
    renderCartCount();
  };
  const renderCartCount = () => {
    $("cart-count").textContent = String(readCart().reduce((sum, item) => sum + item.quantity, 0));
  };

  /** A catalogue product with the Segment e-commerce spec's property names. */
  const specProduct = (product, quantity) => ({
    product_id: product.product_id,
    sku: product.sku,
    name: product.name,
    price: product.price,
    quantity,
    category: product.category,
    brand: product.brand,
    currency: data.currency,
    url: `${location.origin}/products/${product.product_id}`,
  });
  const cartProducts = () =>
    readCart()
      .filter((item) => catalog.has(item.product_id))
      .map((item) => specProduct(catalog.get(item.product_id), item.quantity));
  const cartValue = (products) =>
    products.reduce((sum, product) => sum + product.price * product.quantity, 0);

  const addToCart = (productId, quantity, button) => {
    const product = catalog.get(productId);
    if (!product) return;
    const items = readCart();
    const existing = items.find((item) => item.product_id === productId);
    if (existing) existing.quantity += quantity;
    else items.push({ product_id: productId, quantity });
    writeCart(items);
    cartwheel.productAdded(specProduct(product, quantity));
    if (button) {
      button.textContent = "Added ✓";
      setTimeout(() => {
        button.textContent = "Add to cart";
      }, 1200);
    }
  };

  const removeFromCart = (productId) => {
    const items = readCart();
    const removed = items.find((item) => item.product_id === productId);
    writeCart(items.filter((item) => item.product_id !== productId));
    if (removed) cartwheel.productRemoved(specProduct(catalog.get(productId), removed.quantity));
    renderCart();
  };

  /** The server's "Frequently bought together" block for the whole cart (none when empty). */
  let recommendationsAsked = 0;
  const showCartRecommendations = async (productIds) => {
    const slot = $("cart-recommendations");
    const asked = ++recommendationsAsked;
    if (productIds.length === 0) return slot.replaceChildren();
    try {
      const query = new URLSearchParams(productIds.map((id) => ["product", id]));
      const { html, products } = await (await fetch(`/recommendations?${query}`)).json();
      if (asked !== recommendationsAsked) return;
      for (const product of products) {
        if (!catalog.has(product.product_id)) catalog.set(product.product_id, product);
      }
      slot.innerHTML = html;
      for (const button of slot.querySelectorAll(".add-to-cart")) {
        button.addEventListener("click", () => {
          addToCart(button.dataset.productId, 1, button);
          renderCart();
        });
      }
    } catch {
      slot.replaceChildren();
    }
  };

  const renderCart = () => {
    const products = cartProducts();
    const list = $("cart-items");
    list.replaceChildren(
      ...products.map((product) => {
        const row = document.createElement("li");
        row.dataset.testid = `cart-item-${product.product_id}`;
        row.innerHTML = `<span class="name"></span><span class="qty"></span><span class="price"></span>`;
        row.querySelector(".name").textContent = product.name;
        row.querySelector(".qty").textContent = `× ${product.quantity}`;
        row.querySelector(".price").textContent = money(product.price * product.quantity);
        const remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "Remove";
        remove.dataset.testid = `remove-from-cart-${product.product_id}`;
        remove.addEventListener("click", () => removeFromCart(product.product_id));
        row.append(remove);
        return row;
      }),
    );
    $("cart-empty").hidden = products.length > 0;
    $("checkout-link").hidden = products.length === 0;
    $("cart-total").textContent = money(cartValue(products));
    showCartRecommendations(products.map((product) => product.product_id));
    return products;
  };

  const pages = {
    products() {
      for (const button of document.querySelectorAll(".add-to-cart")) {
        button.addEventListener("click", () => addToCart(button.dataset.productId, 1, button));
      }
    },
    product() {
      cartwheel.productViewed(specProduct(data.product, 1));
      const button = $("add-to-cart");
      button.addEventListener("click", () => {
        const quantity = Math.max(1, Math.min(10, Number($("quantity").value) || 1));
        addToCart(data.product.product_id, quantity, button);
      });
      for (const card of document.querySelectorAll("#frequently-bought-together .add-to-cart")) {
        card.addEventListener("click", () => addToCart(card.dataset.productId, 1, card));
      }
    },
    cart() {
      const products = renderCart();
      cartwheel.cartViewed({ products, value: cartValue(products), currency: data.currency });
    },
    checkout() {
      const products = cartProducts();
      const value = cartValue(products);
      $("checkout-total").textContent = money(value);
      cartwheel.checkoutStarted({ products, value, currency: data.currency });
      $("checkout-form").addEventListener("submit", async (event) => {
        event.preventDefault();
        const email = $("checkout-email").value.trim();
        const orderId = `ORD-${Date.now().toString(36).toUpperCase()}`;
        cartwheel.identify(email, { email });
        cartwheel.orderCompleted({
          order_id: orderId,
          total: value,
          revenue: value,
          currency: data.currency,
          products,
        });
        writeCart([]);
        // Unsent events survive navigation in localStorage; flushing first just makes it quicker.
        await Promise.race([cartwheel.flush(), new Promise((done) => setTimeout(done, 1000))]);
        location.assign(`/order-complete?order=${encodeURIComponent(orderId)}`);
      });
    },
    "order-complete"() {
      $("order-id").textContent = new URLSearchParams(location.search).get("order") ?? "";
    },
  };

  cartwheel.on("exitIntent", () => {
    $("exit-offer").hidden = false;
  });
  $("exit-offer-close").addEventListener("click", () => {
    $("exit-offer").hidden = true;
  });
  renderCartCount();
  pages[document.body.dataset.page]?.();
})();
