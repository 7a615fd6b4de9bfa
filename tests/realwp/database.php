<?php
// The test site's database on the local MariaDB: php database.php <create|snapshot|restore|drop> <host> <name>
// `snapshot` copies every table into <name>_seed; `restore` puts that copy back (between tests).
[$script, $action, $host, $name] = $argv;
mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
[$hostname, $port] = explode(':', $host) + [1 => 3306];
$db = new mysqli($hostname, 'root', '', '', (int) $port);
$seed = $name . '_seed';
$tables = fn() => array_column($db->query("SHOW TABLES FROM `$name`")->fetch_all(), 0);
switch ($action) {
    case 'create':
        $db->query("CREATE DATABASE `$name` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci");
        break;
    case 'snapshot':
        $db->query("CREATE DATABASE IF NOT EXISTS `$seed`");
        foreach ($tables() as $table) {
            $db->query("CREATE TABLE `$seed`.`$table` LIKE `$name`.`$table`");
            $db->query("INSERT INTO `$seed`.`$table` SELECT * FROM `$name`.`$table`");
        }
        break;
    case 'restore':
        // Only tables that changed; DELETE is quicker than TRUNCATE on small InnoDB tables.
        $db->query("SET foreign_key_checks = 0");
        foreach ($tables() as $table) {
            $now = $db->query("CHECKSUM TABLE `$name`.`$table`")->fetch_row()[1];
            $then = $db->query("CHECKSUM TABLE `$seed`.`$table`")->fetch_row()[1];
            if ($now === $then) {
                continue;
            }
            $db->query("DELETE FROM `$name`.`$table`");
            $db->query("INSERT INTO `$name`.`$table` SELECT * FROM `$seed`.`$table`");
            $next = $db->query("SELECT AUTO_INCREMENT FROM information_schema.TABLES
                                WHERE TABLE_SCHEMA = '$seed' AND TABLE_NAME = '$table'")->fetch_row()[0];
            if ($next) {
                $db->query("ALTER TABLE `$name`.`$table` AUTO_INCREMENT = $next");
            }
        }
        break;
    case 'drop':
        $db->query("DROP DATABASE IF EXISTS `$name`");
        $db->query("DROP DATABASE IF EXISTS `$seed`");
        break;
    default:
        fwrite(STDERR, "unknown action $action\n");
        exit(2);
}
