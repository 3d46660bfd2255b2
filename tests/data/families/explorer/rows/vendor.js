window.VENDOR = {name: "grid", version: "2.1"};
