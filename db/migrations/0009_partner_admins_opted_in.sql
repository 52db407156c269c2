-- Custom SQL migration file, put your code below! --
-- hand-written
-- Partner admins used to receive the monthly report whatever report_opt_in said; the opt-in is
-- now the only rule (so the email's unsubscribe link can stop it, RFC 8058). Keep everyone who
-- received it receiving it.
UPDATE `users` SET `report_opt_in` = 1 WHERE `role` = 'partner_admin' AND `report_opt_in` = 0;
