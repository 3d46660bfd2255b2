window.APP_VERSION = "1.0.3";
