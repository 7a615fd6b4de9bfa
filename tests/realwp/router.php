<?php
// Router for `php -S`: files that exist are served as they are (PHP files run), everything
// else goes to WordPress's front controller, as Apache's rewrite rules would send it.
// ABSPATH is our own document root, so WordPress reads our wp-config.php, not Debian's.
define('ABSPATH', $_SERVER['DOCUMENT_ROOT'] . '/');
$path = '/' . ltrim(urldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/'), '/');
$file = ABSPATH . ltrim($path, '/');
if ($path !== '/' && is_file($file)) {
    if (substr($file, -4) !== '.php') {
        return false;
    }
    chdir(dirname($file));
    require $file;
    return;
}
$_SERVER['SCRIPT_NAME'] = $_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = ABSPATH . 'index.php';
chdir(ABSPATH);
require ABSPATH . 'index.php';
